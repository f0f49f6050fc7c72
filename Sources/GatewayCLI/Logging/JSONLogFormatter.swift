import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Formats one log line as one JSON object (`--log-format json`), for log shippers.
///
/// ```json
/// {"timestamp":"2025-05-01T12:00:00.123Z","level":"info","label":"gateway","message":"listening","address":"127.0.0.1:8080","scheme":"http"}
/// ```
///
/// The four fixed keys come first, then every metadata key in sorted order, at the top level
/// (a metadata key that is one of the four is written as `metadata.KEY`). Values are strings, or
/// arrays and objects for metadata that are. Strings are escaped as RFC 8259 requires: `"`, `\`
/// and every control character (`\n`, `\r`, `\t`, `\b`, `\f`, others as `\u00XX`), plus DEL, so a
/// line never breaks and the output is always one object per line.
enum JSONLogFormatter {
    /// The keys every line has, in this order.
    static let fixedKeys = ["timestamp", "level", "label", "message"]

    /// One line, without the line feed.
    static func line(timestamp: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata?) -> String {
        var out = "{"
        appendKey("timestamp", to: &out)
        appendString(timestamp, to: &out)
        out += ","
        appendKey("level", to: &out)
        appendString(level.rawValue, to: &out)
        out += ","
        appendKey("label", to: &out)
        appendString(label, to: &out)
        out += ","
        appendKey("message", to: &out)
        appendString(message, to: &out)
        if let metadata {
            for key in metadata.keys.sorted() {
                out += ","
                appendKey(fixedKeys.contains(key) ? "metadata." + key : key, to: &out)
                appendValue(metadata[key]!, to: &out)
            }
        }
        out += "}"
        return out
    }

    /// The time now in UTC, ISO 8601 with milliseconds: `2025-05-01T12:00:00.123Z`.
    static func timestampNow() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return timestamp(seconds: now.tv_sec, milliseconds: Int(now.tv_nsec / 1_000_000))
    }

    /// `seconds` since the epoch (UTC) and `milliseconds` as ISO 8601.
    static func timestamp(seconds: time_t, milliseconds: Int) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }

    private static func appendKey(_ key: String, to out: inout String) {
        appendString(key, to: &out)
        out += ":"
    }

    private static func appendValue(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &out)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendValue(element, to: &out)
            }
            out += "]"
        case .dictionary(let metadata):
            out += "{"
            for (index, key) in metadata.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendKey(key, to: &out)
                appendValue(metadata[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// `text` as a JSON string, quotes included.
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case "\u{0}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
