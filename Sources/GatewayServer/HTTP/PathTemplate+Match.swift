import GatewayPlugin

extension PathTemplate {
    /// What a request path asks of a channel endpoint.
    enum Match: Equatable {
        /// One channel, its name decoded.
        case channel(String)
        /// `*`: the channels named by the query.
        case several
    }

    /// What `rawPath` (not yet percent-decoded, so an encoded `/` stays inside the segment) asks
    /// of this template: `nil` when it does not match — the fixed text around one non-empty
    /// segment — or its segment does not decode to UTF-8.
    func match(rawPath: Substring) -> Match? {
        guard rawPath.count > prefix.count + suffix.count, rawPath.hasPrefix(prefix), rawPath.hasSuffix(suffix) else { return nil }
        let segment = rawPath.dropFirst(prefix.count).dropLast(suffix.count)
        guard !segment.contains("/") else { return nil }
        if segment == "*" { return .several }
        guard let name = RequestTarget.percentDecode(segment, plusIsSpace: false), !name.isEmpty else { return nil }
        return .channel(name)
    }
}
