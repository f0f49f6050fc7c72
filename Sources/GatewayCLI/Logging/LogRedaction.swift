import Logging

/// Takes secrets out of log lines: the safety net under every log handler `gateway run` installs.
///
/// SPEC §7: `access_token` and `ticket` values never appear in logs. The gateway's own code
/// logs no request target, header or configured secret; this catches what slips through —
/// an upstream URL with `?access_token=` in a source's metadata, an error that quotes a
/// request, a plugin's careless line. It rewrites, in the message and every metadata value:
///
/// - `NAME=value` where NAME ends in `token` or `ticket` (any case: `access_token`, `id_token`,
///   `ticket`): the value up to the next `&`, `#`, quote, space, `,`, `;` or bracket, or the
///   whole quoted value (`NAME="value"`, `NAME='value'`);
/// - the JSON form `"NAME": "value"` (or a bare value) of the same names;
/// - `Authorization: SCHEME credentials` and `authorization=…`: the credentials (the scheme
///   stays, so the line still says how the client authenticated);
/// - `Bearer credentials` anywhere: the credentials;
///
/// each to `[redacted]`. A metadata key that names a secret (see ``isSecretKey(_:)``) has its
/// whole value replaced. Lines with none of these words are returned as they are, after one
/// case-insensitive scan.
enum LogRedaction {
    /// What a secret is replaced with.
    static let mask = "[redacted]"

    /// `text` with every secret value replaced by ``mask``.
    static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 6, let first = nextMarker(in: bytes, from: 0) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var copied = 0
        var marker: Marker? = first
        while let found = marker {
            if let value = found.kind.secretValue(in: bytes, after: found.end), value.lowerBound >= copied {
                output.append(contentsOf: bytes[copied..<value.lowerBound])
                output.append(contentsOf: mask.utf8)
                copied = value.upperBound
                marker = nextMarker(in: bytes, from: value.upperBound)
            } else {
                marker = nextMarker(in: bytes, from: found.end)
            }
        }
        if copied == 0 { return text }
        output.append(contentsOf: bytes[copied...])
        return String(decoding: output, as: UTF8.self)
    }

    /// `metadata` with secret keys masked and every value's text redacted.
    static func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var redacted: Logger.Metadata = [:]
        for (key, value) in metadata {
            redacted[key] = isSecretKey(key) ? .string(mask) : redact(value)
        }
        return redacted
    }

    /// One metadata value, redacted through arrays and dictionaries.
    static func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .stringConvertible(let convertible): .string(redact(convertible.description))
        case .array(let values): .array(values.map(redact))
        case .dictionary(let metadata): .dictionary(redact(metadata))
        }
    }

    /// Whether a metadata key names a secret: it contains `token`, `ticket`, `authorization`,
    /// `password` or `secret` (any case), like `access_token`, `auth.token`, `nats.password`.
    static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["token", "ticket", "authorization", "password", "secret"].contains { lowered.contains($0) }
    }

    // MARK: Scanning

    private struct Marker {
        var kind: Kind
        /// Just past the marker word.
        var end: Int
    }

    private enum Kind: CaseIterable {
        case token, ticket, authorization, bearer

        var word: [UInt8] {
            switch self {
            case .token: Array("token".utf8)
            case .ticket: Array("ticket".utf8)
            case .authorization: Array("authorization".utf8)
            case .bearer: Array("bearer".utf8)
            }
        }

        /// The range of the secret that follows a marker ending at `end`, or `nil` when the
        /// marker is only a word in a sentence.
        func secretValue(in bytes: [UInt8], after end: Int) -> Range<Int>? {
            // The marker must end a name (`tokens=` or `ticket_id=` are other names).
            if end < bytes.count, bytes[end].isNameByte { return nil }
            switch self {
            case .token, .ticket:
                return LogRedaction.assignedValue(in: bytes, after: end, wholeHeader: false)
            case .authorization:
                return LogRedaction.assignedValue(in: bytes, after: end, wholeHeader: true)
            case .bearer:
                // `Bearer x`: the marker starts a word, then spaces and the credentials.
                let start = end - word.count
                if start > 0, bytes[start - 1].isLetter { return nil }
                var index = end
                guard index < bytes.count, bytes[index] == UInt8(ascii: " ") else { return nil }
                while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
                let valueEnd = LogRedaction.unquotedEnd(in: bytes, from: index)
                return valueEnd > index ? index..<valueEnd : nil
            }
        }
    }

    /// The first marker word at or after `from`, compared without case.
    private static func nextMarker(in bytes: [UInt8], from: Int) -> Marker? {
        var index = from
        while index < bytes.count {
            let byte = bytes[index] | 0x20
            // Every marker starts with `t`, `a` or `b`: skip the rest cheaply.
            if byte == UInt8(ascii: "t") || byte == UInt8(ascii: "a") || byte == UInt8(ascii: "b") {
                for kind in Kind.allCases where matches(kind.word, in: bytes, at: index) {
                    return Marker(kind: kind, end: index + kind.word.count)
                }
            }
            index += 1
        }
        return nil
    }

    private static func matches(_ word: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        guard index + word.count <= bytes.count else { return false }
        for offset in 0..<word.count where bytes[index + offset] | 0x20 != word[offset] { return false }
        return true
    }

    /// After a name: `="value"`, `='value'`, `=value`, or (JSON) `": "value"` / `": value`. The value's
    /// range, or `nil` when no value is assigned there. With `wholeHeader`, an unquoted value
    /// may be `SCHEME credentials`, and only the credentials are returned.
    private static func assignedValue(in bytes: [UInt8], after end: Int, wholeHeader: Bool) -> Range<Int>? {
        var index = end
        let quotedName = index < bytes.count && bytes[index] == UInt8(ascii: "\"")
        if quotedName { index += 1 }
        index = skipSpaces(bytes, from: index)
        guard index < bytes.count else { return nil }
        let separator = bytes[index]
        // `name: value` outside JSON is prose ("unexpected token: '{'"), except for the header.
        guard separator == UInt8(ascii: "=") || (separator == UInt8(ascii: ":") && (quotedName || wholeHeader)) else { return nil }
        index = skipSpaces(bytes, from: index + 1)
        guard index < bytes.count else { return nil }
        let quote = bytes[index]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            let start = index + 1
            var cursor = start
            while cursor < bytes.count, bytes[cursor] != quote {
                cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
            }
            let valueEnd = min(cursor, bytes.count)
            return valueEnd > start ? start..<valueEnd : nil
        }
        let valueEnd = unquotedEnd(in: bytes, from: index)
        guard valueEnd > index else { return nil }
        // `Authorization: Bearer abc`: keep the scheme, mask what follows it.
        if wholeHeader, valueEnd < bytes.count, bytes[valueEnd] == UInt8(ascii: " "), bytes[index..<valueEnd].allSatisfy(\.isLetter) {
            let credentials = skipSpaces(bytes, from: valueEnd)
            let credentialsEnd = unquotedEnd(in: bytes, from: credentials)
            if credentialsEnd > credentials { return credentials..<credentialsEnd }
        }
        return index..<valueEnd
    }

    private static func skipSpaces(_ bytes: [UInt8], from index: Int) -> Int {
        var index = index
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        return index
    }

    /// Where an unquoted value starting at `index` ends: at a byte that ends a query value or a
    /// word in a line.
    private static func unquotedEnd(in bytes: [UInt8], from index: Int) -> Int {
        var index = index
        while index < bytes.count, !bytes[index].endsValue { index += 1 }
        return index
    }
}

extension UInt8 {
    /// A byte of a parameter or field name.
    fileprivate var isNameByte: Bool {
        isLetter || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || self == UInt8(ascii: "_") || self == UInt8(ascii: "-")
    }

    fileprivate var isLetter: Bool {
        let lowered = self | 0x20
        return lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "z")
    }

    /// Ends an unquoted value: whitespace and control bytes, and what separates values in
    /// queries, headers and prose.
    fileprivate var endsValue: Bool {
        if self <= 0x20 || self == 0x7F { return true }
        switch self {
        case UInt8(ascii: "&"), UInt8(ascii: "#"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ">"), UInt8(ascii: "<"), UInt8(ascii: "\\"):
            return true
        default:
            return false
        }
    }
}
