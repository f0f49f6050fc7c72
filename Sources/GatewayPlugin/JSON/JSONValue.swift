/// A parsed JSON value, for the plugins that read event data or API bodies as JSON.
///
/// Objects keep their members in document order (a polled item re-serialises as it came) and
/// numbers keep their source text (an id like `12345678901234567890` or a price like `1.10`
/// survives a round trip unchanged); ``number`` gives the numeric value when a comparison
/// needs one.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as written in the source (`-1.5e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order. Lookups take the last member with a key, as most parsers do.
    case object([JSONMember])

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The element at `index` of an array, or `nil`.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The numeric value of a number, or `nil`.
    public var number: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The text of a string, or `nil`.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements of an array, or `nil`.
    public var array: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The value as text for comparisons and keys: a string's own text, a number's or
    /// boolean's literal, `null`, or the compact JSON of an array or object.
    public var text: String {
        switch self {
        case .string(let text): text
        case .number(let text): text
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .array, .object: serialized
        }
    }
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Sendable, Hashable {
    /// The member's key.
    public var key: String
    /// The member's value.
    public var value: JSONValue

    /// Creates a member.
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}
