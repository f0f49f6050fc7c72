import ArgumentParser
import Logging

/// How `gateway run` writes its log lines to standard error (`--log-format`).
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    /// swift-log's line: `2025-05-01T12:00:00+0000 info gateway: key=value [Module] message`.
    case text
    /// One JSON object per line (``JSONLogFormatter``).
    case json

    /// Makes this process's loggers write in this format at `level`, every line redacted
    /// (``LogRedaction``). The executable calls it once, first thing; libraries never do.
    func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in makeHandler(label: label, level: level) }
    }

    /// The handler for a logger labelled `label`.
    func makeHandler(label: String, level: Logger.Level) -> any LogHandler {
        switch self {
        case .text:
            var handler = RedactingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        case .json:
            var handler = RedactingLogHandler(JSONLogHandler(label: label))
            handler.logLevel = level
            return handler
        }
    }
}
