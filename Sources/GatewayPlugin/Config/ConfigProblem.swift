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

    /// Records a problem.
    public func report(_ message: String, at location: ConfigLocation) {
        problems.append(ConfigProblem(message, at: location))
    }

    /// Whether nothing has been reported.
    public var isEmpty: Bool { problems.isEmpty }

    /// The problems sorted by position, duplicates removed.
    public var sortedProblems: [ConfigProblem] {
        var seen = Set<ConfigProblem>()
        return problems.filter { seen.insert($0).inserted }.sorted { $0.location < $1.location }
    }
}
