import Logging

/// A log handler that passes every line through ``LogRedaction`` before `inner` formats it.
///
/// It keeps the logger's metadata itself (not in `inner`) so that the handler's metadata, the
/// metadata provider's, the line's own and the error are merged and redacted together; `inner`
/// only formats and writes what it is handed.
struct RedactingLogHandler<Inner: LogHandler>: LogHandler {
    private var inner: Inner
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// - Parameter inner: formats and writes; its own metadata should be empty.
    init(_ inner: Inner) {
        self.inner = inner
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = event.mergedMetadata(handler: metadata, provider: metadataProvider)
        var redacted = event
        redacted.error = nil
        redacted.message = "\(LogRedaction.redact(event.message.description))"
        redacted.metadata = merged.isEmpty ? nil : LogRedaction.redact(merged)
        inner.log(event: redacted)
    }
}
