/// A channel endpoint's path, `/orders/{customer}`: fixed text around one `{name}` segment.
///
/// A request matches when its raw path (before percent-decoding, so an encoded `/` stays
/// inside the segment) has the fixed text around one non-empty segment; the segment,
/// percent-decoded, names the channel, and `*` asks for the channels in `?channels=`.
struct PathTemplate: Sendable, Equatable {
    /// The text before the segment, up to and including its `/`.
    let prefix: String
    /// The segment's name, between the braces.
    let parameter: String
    /// The text after the segment: empty, or starting with `/`.
    let suffix: String

    /// What a request path asks for.
    enum Match: Equatable {
        /// One channel, its name decoded.
        case channel(String)
        /// `*`: the channels named by the query.
        case several
    }

    /// Parses a path with exactly one `{name}` segment; `nil` for any other path.
    init?(_ path: String) {
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

    /// What `rawPath` (not yet percent-decoded) asks of this template; `nil` when it does not
    /// match, or its segment does not decode to UTF-8.
    func match(rawPath: Substring) -> Match? {
        guard rawPath.count > prefix.count + suffix.count, rawPath.hasPrefix(prefix), rawPath.hasSuffix(suffix) else { return nil }
        let segment = rawPath.dropFirst(prefix.count).dropLast(suffix.count)
        guard !segment.contains("/") else { return nil }
        if segment == "*" { return .several }
        guard let name = RequestTarget.percentDecode(segment, plusIsSpace: false), !name.isEmpty else { return nil }
        return .channel(name)
    }
}
