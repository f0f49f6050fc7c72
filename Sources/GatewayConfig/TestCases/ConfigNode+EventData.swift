import GatewayPlugin

extension ConfigNode {
    /// The node as an event's data, for test cases: a scalar is its text as written (`a`,
    /// `'{"a":1}'`, `101`); a map or list is its compact JSON, keys in the order written.
    /// `nil` for an empty value, which has no data to give.
    ///
    /// In JSON, a plain scalar that is a JSON number, `true` or `false` keeps that type, and
    /// `null` (or `~`, or nothing) is `null`; every other scalar, and any quoted one, is a string.
    var eventData: String? {
        switch value {
        case .scalar(let text, _): return text
        case .null: return nil
        case .sequence, .mapping: return json.serialized
        }
    }

    /// The node as a JSON value (see ``eventData``).
    var json: JSONValue {
        switch value {
        case .null:
            return .null
        case .scalar(let text, let isPlain):
            guard isPlain, let first = text.unicodeScalars.first else { return .string(text) }
            if text == "true" || text == "false" { return .bool(text == "true") }
            // Only what JSON itself reads as a number: not YAML's 0x1F, .5 or +1.
            if first == "-" || ("0"..."9").contains(first), case .number? = try? JSONValue.parse(text) {
                return .number(text)
            }
            return .string(text)
        case .sequence(let elements):
            return .array(elements.map(\.json))
        case .mapping(let entries):
            return .object(entries.map { JSONMember(key: $0.key, value: $0.value.json) })
        }
    }
}
