/// What NATS accepts as a subject to subscribe to, and as a stream name — checked at load, so a
/// mistake is a `gateway check` error at its place rather than a subscription that never works.
enum SubjectSyntax {
    /// Why `subject` cannot be subscribed to, or `nil` when it can.
    ///
    /// A subject is tokens separated by `.`: none empty, no whitespace or control character
    /// anywhere; `*` (any one token) and `>` (one or more tokens) only as whole tokens, `>` last.
    static func problem(inSubject subject: String) -> String? {
        if subject.isEmpty { return "is empty" }
        if subject.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return "contains a space or a control character"
        }
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        if tokens.contains(where: \.isEmpty) { return "has an empty token (a dot at the start or the end, or two dots in a row)" }
        for (index, token) in tokens.enumerated() {
            if token != "*" && token != ">" && (token.contains("*") || token.contains(">")) {
                return "has '\(token)': '*' and '>' are wildcards only as whole tokens, like orders.* or orders.>"
            }
            if token == ">" && index != tokens.count - 1 { return "has '>' before its last token: '>' matches the rest, so it comes last" }
        }
        return nil
    }

    /// Why `name` cannot name a JetStream stream, or `nil` when it can: not empty, and none of
    /// whitespace, control characters, `.`, `*`, `>`, `/`, `\`.
    static func problem(inStreamName name: String) -> String? {
        if name.isEmpty { return "is empty" }
        let forbidden: Set<Character> = [".", "*", ">", "/", "\\"]
        if let bad = name.first(where: { forbidden.contains($0) }) { return "contains '\(bad)'" }
        if name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return "contains a space or a control character"
        }
        return nil
    }

    /// Why `name` cannot be a message header's name, or `nil` when it can: printable ASCII
    /// with no space and no `:`.
    static func problem(inHeaderName name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F || $0 == ":" }) {
            return "must be printable ASCII with no space and no ':'"
        }
        return nil
    }
}
