import Logging

/// Writes each log line to standard error as one JSON object (``JSONLogFormatter``).
///
/// Each line goes out in one `write(2)` of the whole line (``StandardError``), so lines written
/// from different threads at once do not interleave. Metadata is
/// merged like swift-log's `StreamLogHandler` does: the handler's, the provider's, the line's,
/// and an error as `error.message` / `error.type`.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// - Parameter label: the logger's label, written as `label`.
    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = event.mergedMetadata(handler: metadata, provider: metadataProvider)
        StandardError.print(
            JSONLogFormatter.line(
                timestamp: JSONLogFormatter.timestampNow(), level: event.level, label: label, message: event.message.description,
                metadata: merged))
    }
}
