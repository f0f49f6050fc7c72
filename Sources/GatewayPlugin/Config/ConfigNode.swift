/// A configuration value with the position it came from.
///
/// The configuration loader turns YAML into this tree (after `${NAME}` interpolation) so that
/// plugins can read their options without depending on a YAML library, and every error they
/// report can name a file, line and column.
public struct ConfigNode: Sendable {
    /// The shape of a value.
    public enum Value: Sendable {
        /// A scalar's text. `isPlain` is false when it was quoted in the file (so `'true'` stays a string).
        case scalar(String, isPlain: Bool)
        /// A list.
        case sequence([ConfigNode])
        /// A map, in file order.
        case mapping([ConfigEntry])
        /// An empty value, `~` or `null`.
        case null
    }

    /// The value.
    public var value: Value
    /// Where the value starts.
    public var location: ConfigLocation

    /// Creates a node.
    public init(_ value: Value, at location: ConfigLocation) {
        self.value = value
        self.location = location
    }

    /// The text of a scalar, or `nil` for other shapes.
    public var scalar: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// The entries of a map, or `nil` for other shapes.
    public var mapping: [ConfigEntry]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    /// The elements of a list, or `nil` for other shapes.
    public var sequence: [ConfigNode]? {
        if case .sequence(let elements) = value { return elements }
        return nil
    }

    /// Whether the value is empty (`~`, `null` or nothing).
    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The value for `key` when this is a map.
    public subscript(key: String) -> ConfigNode? {
        mapping?.first { $0.key == key }?.value
    }

    /// How the value is described in error messages: "a map", "a list", "a string" or "nothing".
    public var kindDescription: String {
        switch value {
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a map"
        case .null: "nothing"
        }
    }
}

/// One `key: value` pair of a map, with the key's own position.
public struct ConfigEntry: Sendable {
    /// The key's text.
    public var key: String
    /// Where the key is.
    public var keyLocation: ConfigLocation
    /// The value.
    public var value: ConfigNode

    /// Creates an entry.
    public init(key: String, keyLocation: ConfigLocation, value: ConfigNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
