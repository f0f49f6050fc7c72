/// A path into a JSON value: `user.name`, `items[0].id`, `tickets`, `["a.b"].c`.
///
/// Used by `poll` (`items`, `id`), by the matcher's `data.PATH` fields, by `dedupe` and
/// `throttle`. Parsed once at load; a lookup is a walk with no allocation.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The steps, outermost first. Empty means the value itself.
    public let components: [Component]
    /// The path as written.
    public let description: String

    /// Parses a path, or returns `nil` when it is malformed (an empty key, an unclosed `[`).
    public init?(_ text: String) {
        var components: [Component] = []
        var rest = Substring(text)
        var expectKey = true
        while !rest.isEmpty {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inside), index >= 0 {
                    components.append(.index(index))
                } else if inside.count >= 2, let quote = inside.first, quote == "\"" || quote == "'", inside.last == quote {
                    components.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    return nil
                }
                rest = rest[rest.index(after: close)...]
                expectKey = false
            } else if rest.hasPrefix(".") {
                guard !expectKey || components.isEmpty == false else { return nil }
                rest = rest.dropFirst()
                expectKey = true
                guard !rest.isEmpty, !rest.hasPrefix("."), !rest.hasPrefix("[") else { return nil }
            } else {
                guard expectKey else { return nil }
                let key = rest.prefix { $0 != "." && $0 != "[" }
                guard !key.contains("]") else { return nil }
                components.append(.key(String(key)))
                rest = rest.dropFirst(key.count)
                expectKey = false
            }
        }
        self.components = components
        self.description = text
    }

    /// The value at this path in `value`, or `nil` when any step is missing.
    public func lookup(in value: JSONValue) -> JSONValue? {
        var current = value
        for component in components {
            switch component {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let index):
                guard let next = current[index] else { return nil }
                current = next
            }
        }
        return current
    }
}
