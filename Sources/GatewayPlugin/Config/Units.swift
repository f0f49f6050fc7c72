/// Parsing of the duration and size notations every option uses.
///
/// Durations are one or more `NUMBER UNIT` pairs: `250ms`, `5s`, `1m`, `2h`, `1m30s` (units
/// `ms`, `s`, `m`, `h`, `d`); a bare `0` is zero. Sizes are a byte count with an optional
/// unit: `512`, `64KiB`, `1MiB`, `1GiB` (binary) or `KB`, `MB`, `GB` (decimal), `B`.
public enum Units {
    /// The longest duration an option may hold: beyond it every timer of the gateway (and
    /// NIO's 64-bit nanoseconds) would overflow, and no setting means that long anyway.
    public static let maximumDuration = Duration.seconds(365 * 86400)

    /// The duration `text` denotes, or `nil` when it is not a duration. A duration longer than
    /// ``maximumDuration`` is returned as it is (callers report it), never trapped on.
    public static func duration(_ text: String) -> Duration? {
        let text = text.trimmingSpaces()
        if text == "0" { return .zero }
        var total = Duration.zero
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86400
            default: return nil
            }
            let milliseconds = (number * scale * 1000).rounded()
            // Past this the conversion to Int64 would trap; any such figure is over the maximum.
            guard milliseconds < 1e15 else { return .seconds(Int64(1e12)) }
            total += .milliseconds(Int64(milliseconds))
        }
        return total
    }

    /// The byte count `text` denotes, or `nil` when it is not a size.
    public static func size(_ text: String) -> Int? {
        let text = text.trimmingSpaces()
        let digits = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !digits.isEmpty, let number = Double(digits) else { return nil }
        let unit = text.dropFirst(digits.count).trimmingSpaces()
        let scale: Double
        switch unit {
        case "", "B": scale = 1
        case "KiB": scale = 1024
        case "MiB": scale = 1024 * 1024
        case "GiB": scale = 1024 * 1024 * 1024
        case "KB", "kB": scale = 1000
        case "MB": scale = 1_000_000
        case "GB": scale = 1_000_000_000
        default: return nil
        }
        let bytes = number * scale
        guard bytes < Double(Int.max), bytes == bytes.rounded() else { return nil }
        return Int(bytes)
    }

    /// `250ms`, `5s`, `1m30s`: the shortest spelling of a duration, for plans and logs.
    public static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        var text = ""
        for (unit, size) in [("h", Int64(3600)), ("m", 60)] where seconds >= size {
            text += "\(seconds / size)\(unit)"
            seconds %= size
        }
        if seconds > 0 { text += "\(seconds)s" }
        return text
    }

    /// `512B`, `64KiB`, `1MiB`: a size in the largest binary unit that divides it.
    public static func describe(bytes: Int) -> String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)B"
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
