import Logging
import Synchronization

/// Log lines as `level message key=value …`, metadata sorted by key.
public final class LogRecords: Sendable {
    private let lines = Locked<[String]>([])
    public init() {}
    public var all: [String] { lines.withLock { $0 } }
    public func append(_ line: String) { lines.withLock { $0.append(line) } }
    public func contains(_ fragment: String) -> Bool { all.contains { $0.contains(fragment) } }
    /// How many lines contain `fragment`.
    public func count(_ fragment: String) -> Int { all.filter { $0.contains(fragment) }.count }
}

/// A log handler that keeps every line in a ``LogRecords``.
public struct RecordingLogHandler: LogHandler {
    public let records: LogRecords
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(records: LogRecords) {
        self.records = records
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let pairs = all.keys.sorted().map { "\($0)=\(all[$0]!)" }
        records.append(([event.level.rawValue, "\(event.message)"] + pairs).joined(separator: " "))
    }
}

extension Logger {
    /// A logger whose lines go to `records`.
    public static func recording(into records: LogRecords, label: String = "test") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(records: records) }
    }
}
