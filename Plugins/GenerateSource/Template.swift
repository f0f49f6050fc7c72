#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `generate` text template: literal text with `{{…}}` placeholders, parsed once at load.
///
/// Placeholders: `{{seq}}` (1, 2, 3, … per source), `{{unix_ms}}` (wall-clock milliseconds),
/// `{{time}}` (ISO 8601 UTC with milliseconds), `{{random MIN MAX}}` (uniform, inclusive;
/// decimals when MIN or MAX has them), `{{pick A B …}}` (one of the words, uniformly).
struct Template: Sendable {
    enum Part: Sendable, Equatable {
        case text(String)
        case sequence
        case unixMilliseconds
        case time
        case randomInteger(Int, Int)
        case randomDecimal(Double, Double, decimals: Int)
        case pick([String])
    }

    let parts: [Part]

    /// Parses `text`, or throws a message naming the bad placeholder.
    init(parsing text: String) throws(TemplateError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw TemplateError("unclosed placeholder '\(rest[open.lowerBound...].prefix(20))': add '}}'")
            }
            let words = rest[open.upperBound..<close.lowerBound].split(separator: " ").map(String.init)
            parts.append(try Self.placeholder(words))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    private static func placeholder(_ words: [String]) throws(TemplateError) -> Part {
        let known = "{{seq}}, {{unix_ms}}, {{time}}, {{random MIN MAX}}, {{pick A B …}}"
        switch words.first {
        case "seq" where words.count == 1: return .sequence
        case "unix_ms" where words.count == 1: return .unixMilliseconds
        case "time" where words.count == 1: return .time
        case "random":
            guard words.count == 3, let low = Double(words[1]), let high = Double(words[2]), low <= high else {
                throw TemplateError("'{{\(words.joined(separator: " "))}}' needs two numbers, MIN <= MAX: {{random 90 110}}")
            }
            if let low = Int(words[1]), let high = Int(words[2]) { return .randomInteger(low, high) }
            let decimals = words[1...2].map { $0.split(separator: ".").dropFirst().first?.count ?? 0 }.max() ?? 2
            return .randomDecimal(low, high, decimals: decimals)
        case "pick":
            guard words.count >= 2 else { throw TemplateError("'{{pick}}' needs at least one word: {{pick A B C}}") }
            return .pick(Array(words.dropFirst()))
        default:
            throw TemplateError("unknown placeholder '{{\(words.joined(separator: " "))}}'; known: \(known)")
        }
    }

    /// Renders the template for event number `sequence`.
    func render<R: RandomNumberGenerator>(sequence: Int, using generator: inout R) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .sequence: output += String(sequence)
            case .unixMilliseconds: output += String(WallClock.unixMilliseconds())
            case .time: output += WallClock.iso8601()
            case .randomInteger(let low, let high): output += String(Int.random(in: low...high, using: &generator))
            case .randomDecimal(let low, let high, let decimals):
                output += Self.format(Double.random(in: low...high, using: &generator), decimals: decimals)
            case .pick(let words): output += words.randomElement(using: &generator)!
            }
        }
        return output
    }

    /// Whether rendering gives the same text every time (no placeholders).
    var isConstant: Bool { parts.allSatisfy { if case .text = $0 { true } else { false } } }

    static func format(_ value: Double, decimals: Int) -> String {
        guard decimals > 0 else { return String(Int(value.rounded())) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        var fraction = String(scaled % Int(scale))
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        return (value < 0 && scaled != 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}

/// A template that cannot be parsed, with the reason.
struct TemplateError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Wall-clock time for `{{unix_ms}}` and `{{time}}`, without Foundation.
enum WallClock {
    static func unixMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// `2026-11-25T12:00:00.123Z`.
    static func iso8601(unixMilliseconds milliseconds: Int64 = unixMilliseconds()) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds % 1000), 3))Z"
    }
}
