import GatewayPlugin

/// The fields of an `application/x-www-form-urlencoded` body, in order (WHATWG URL §5.1):
/// `&`-separated `name=value` pairs, `+` for a space, `%XX` escapes decoded as UTF-8.
struct FormFields: Equatable {
    var pairs: [(name: String, value: String)]

    /// Parses `text`; `nil` when a `%` escape is malformed or decodes to invalid UTF-8 (a
    /// browser would keep such bytes as they are, but a publisher that sends them has a bug
    /// worth a `400`).
    init?(_ text: String) {
        pairs = []
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count == 2 ? parts[1] : "") else { return nil }
            pairs.append((name, value))
        }
    }

    static func == (lhs: FormFields, rhs: FormFields) -> Bool {
        lhs.pairs.map(\.name) == rhs.pairs.map(\.name) && lhs.pairs.map(\.value) == rhs.pairs.map(\.value)
    }

    private static func decode(_ text: Substring) -> String? {
        PercentDecoding.decode(text, plusIsSpace: true)
    }
}
