/// Why a text is not JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// 0-based byte offset of the problem.
    public let offset: Int
    /// What was expected or found.
    public let reason: String

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    public static let maximumDepth = 512

    /// Parses a complete JSON text (RFC 8259; surrounding whitespace allowed).
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { bytes in Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(bytes)) } }
        return try result.get()
    }

    /// Parses a complete JSON text from UTF-8 bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.offset == bytes.count else { throw reader.error("unexpected text after the value") }
        return value
    }
}

/// What a path holds in a JSON text, found by ``JSONValue/lookup(_:in:)`` without building the document.
public enum JSONLookup: Sendable, Equatable {
    /// The text is not JSON.
    case notJSON
    /// The path leads nowhere in it.
    case missing
    /// A string, decoded.
    case string(String)
    /// A number, as written.
    case number(String)
    /// `true`, `false`, `null`, an array or an object.
    case other

    /// What a parsed document holds at `path`, classified the same way.
    public init(_ path: JSONPath, in document: JSONValue?) {
        guard let document else {
            self = .notJSON
            return
        }
        switch path.lookup(in: document) {
        case nil: self = .missing
        case .string(let text)?: self = .string(text)
        case .number(let text)?: self = .number(text)
        case .null?, .bool?, .array?, .object?: self = .other
        }
    }
}

extension JSONValue {
    /// What `path` holds in the JSON text `text`: the same answer as parsing it and looking the
    /// path up, but in one pass that allocates nothing beyond the value found. The whole text is
    /// still checked, so a text that is not JSON is `.notJSON` wherever the mistake is; a key
    /// that repeats counts as its last occurrence, as in a parsed document.
    public static func lookup(_ path: JSONPath, in text: String) -> JSONLookup {
        var text = text
        return text.withUTF8 { bytes in
            var reader = JSONReader(bytes: UnsafeRawBufferPointer(bytes))
            var found = JSONLookup.missing
            do throws(JSONParseError) {
                reader.skipWhitespace()
                try reader.walk(depth: 0, path: path.components[...], found: &found)
                reader.skipWhitespace()
                return reader.offset == bytes.count ? found : .notJSON
            } catch {
                return .notJSON
            }
        }
    }
}

/// A single-pass reader over UTF-8 bytes.
private struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: offset, reason: reason) }

    var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    mutating func readValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard let byte = current else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try readObject(depth: depth)
        case UInt8(ascii: "["): return try readArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("unexpected character '\(Unicode.Scalar(byte))'")
        }
    }

    mutating func expect(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw error("unexpected end of input") }
        for index in 0..<count where bytes[offset + index] != word.utf8Start[index] {
            throw error("expected '\(word)'")
        }
        offset += count
    }

    mutating func readObject(depth: Int) throws(JSONParseError) -> JSONValue {
        offset += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try readString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
            offset += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try readValue(depth: depth + 1)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; return .object(members)
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    mutating func readArray(depth: Int) throws(JSONParseError) -> JSONValue {
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; return .array(elements)
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// Reads one value, keeping of it only what `path` points to (see ``JSONValue/lookup(_:in:)``):
    /// `path` is the rest of the path at this value, or `nil` when the value is off the path.
    mutating func walk(depth: Int, path: ArraySlice<JSONPath.Component>?, found: inout JSONLookup) throws(JSONParseError) {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard let byte = current else { throw error("unexpected end of input") }
        let isTarget = path?.isEmpty == true
        switch byte {
        case UInt8(ascii: "{"):
            if isTarget { found = .other }
            offset += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                offset += 1
                return
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
                var next: ArraySlice<JSONPath.Component>?
                if let path, case .key(let wanted)? = path.first {
                    if try readString() == wanted {
                        // A later member with the same key replaces what an earlier one held.
                        next = path.dropFirst()
                        found = .missing
                    }
                } else {
                    try skipString()
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                offset += 1
                skipWhitespace()
                try walk(depth: depth + 1, path: next, found: &found)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"): offset += 1; return
                default: throw error("expected ',' or '}' in an object")
                }
            }
        case UInt8(ascii: "["):
            if isTarget { found = .other }
            offset += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                offset += 1
                return
            }
            var index = 0
            while true {
                skipWhitespace()
                var next: ArraySlice<JSONPath.Component>?
                if let path, case .index(let wanted)? = path.first, wanted == index { next = path.dropFirst() }
                try walk(depth: depth + 1, path: next, found: &found)
                index += 1
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"): offset += 1; return
                default: throw error("expected ',' or ']' in an array")
                }
            }
        case UInt8(ascii: "\""):
            if isTarget { found = .string(try readString()) } else { try skipString() }
        case UInt8(ascii: "t"):
            try expect("true")
            if isTarget { found = .other }
        case UInt8(ascii: "f"):
            try expect("false")
            if isTarget { found = .other }
        case UInt8(ascii: "n"):
            try expect("null")
            if isTarget { found = .other }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if isTarget { found = .number(try readNumber()) } else { try skipNumber() }
        default:
            throw error("unexpected character '\(Unicode.Scalar(byte))'")
        }
    }

    /// Checks a string as ``readString()`` does, keeping nothing.
    mutating func skipString() throws(JSONParseError) {
        offset += 1
        var scratch: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated string") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                try readEscape(into: &scratch)
                scratch.removeAll(keepingCapacity: true)
            case ..<0x20: throw error("a control character must be escaped in a string")
            default: continue
            }
        }
    }

    mutating func readNumber() throws(JSONParseError) -> String {
        let start = offset
        try skipNumber()
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    mutating func skipNumber() throws(JSONParseError) {
        if current == UInt8(ascii: "-") { offset += 1 }
        guard let first = current, isDigit(first) else { throw error("expected a digit") }
        if first == UInt8(ascii: "0") {
            offset += 1
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            offset += 1
            guard let digit = current, isDigit(digit) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            guard let digit = current, isDigit(digit) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while let byte = current, isDigit(byte) { offset += 1 }
    }

    /// Reads a string; the common case without escapes decodes the slice in one step.
    mutating func readString() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                guard let text else { throw JSONParseError(offset: start, reason: "a string is not valid UTF-8") }
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character must be escaped in a string") }
            offset += 1
        }
        var scalars: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while true {
            guard let byte = current else { throw error("unterminated string") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scalars, as: UTF8.self) else {
                    throw JSONParseError(offset: start, reason: "a string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try readEscape(into: &scalars)
            case ..<0x20:
                throw error("a control character must be escaped in a string")
            default:
                scalars.append(byte)
            }
        }
    }

    mutating func readEscape(into output: inout [UInt8]) throws(JSONParseError) {
        guard let byte = current else { throw error("unterminated escape") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must pair with a low one; a lone half becomes U+FFFD.
                if current == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u") {
                    offset += 2
                    let low = try readHex4()
                    scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                scalar = 0xFFFD
            }
            output.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
        default:
            throw error("unknown escape '\\\(Unicode.Scalar(byte))'")
        }
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("unterminated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }
}
