/// One mistake in a configuration, tied to the place it was made.
public struct ConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the mistake is.
    public var location: ConfigLocation
    /// A sentence that quotes the bad value and, where possible, suggests the fix.
    public var message: String

    /// Creates a problem report.
    /// - Parameters:
    ///   - location: where the mistake is.
    ///   - message: what is wrong, in a sentence.
    public init(_ message: String, at location: ConfigLocation) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message`, the format of every configuration error.
    public var description: String { "\(location): \(message)" }
}

/// Collects every problem found while loading a configuration, so that one run of
/// `gateway check` reports all of them rather than stopping at the first.
///
/// Loading is single-threaded; a `Diagnostics` is not shared across threads.
public final class Diagnostics {
    /// The problems reported so far, in the order they were found.
    public private(set) var problems: [ConfigProblem] = []

    /// Creates an empty collector.
    public init() {}

    /// Records a problem, unless a root cause was already reported at that place.
    public func report(_ message: String, at location: ConfigLocation) {
        guard !causes.contains(location) else { return }
        problems.append(ConfigProblem(message, at: location))
    }

    /// Records a problem that makes the value at `location` meaningless (an unset variable):
    /// later problems about that value are its consequences, and listing them would bury it.
    public func reportCause(_ message: String, at location: ConfigLocation) {
        report(message, at: location)
        causes.insert(location)
    }

    private var causes: Set<ConfigLocation> = []

    /// Whether nothing has been reported.
    public var isEmpty: Bool { problems.isEmpty }

    /// The problems sorted by position, duplicates removed.
    public var sortedProblems: [ConfigProblem] {
        var seen = Set<ConfigProblem>()
        return problems.filter { seen.insert($0).inserted }.sorted { $0.location < $1.location }
    }
}
