/// A channel endpoint's path, `/orders/{customer}`: fixed text around one `{name}` segment.
///
/// Shared by the configuration loader, which checks a path's shape, and the server, which
/// matches requests against it.
public struct PathTemplate: Sendable, Equatable {
    /// The text before the segment, up to and including its `/`.
    public let prefix: String
    /// The segment's name, between the braces.
    public let parameter: String
    /// The text after the segment: empty, or starting with `/`.
    public let suffix: String

    /// Parses a path with exactly one `{name}` segment, a whole segment; `nil` for any other path.
    public init?(_ path: String) {
        guard let open = path.firstIndex(of: "{"), let close = path.firstIndex(of: "}"), open < close else { return nil }
        let before = path[..<open]
        let after = path[path.index(after: close)...]
        let name = path[path.index(after: open)..<close]
        guard before.hasSuffix("/"), after.isEmpty || after.hasPrefix("/"), !name.isEmpty, !name.contains("/"),
            !after.contains("{"), !after.contains("}")
        else { return nil }
        prefix = String(before)
        parameter = String(name)
        suffix = String(after)
    }

    /// The path with the segment's name left out: two templates that serve the same requests
    /// have the same pattern.
    public var pattern: String { prefix + "{}" + suffix }
}
