/// Bearer-token checks against a list of tokens: a push source's `auth:`, and the `tokens` of
/// an endpoint's (which ``EndpointAuth`` adds JWTs to).
enum AuthVerdict: Equatable, Sendable {
    /// No auth configured, or a listed token was presented.
    case allowed
    /// No token presented: `401`.
    case missingToken
    /// A token that is not listed: `403`.
    case wrongToken

    /// Checks the `Authorization` header first, then `?access_token=` (EventSource cannot set headers).
    init(tokens: [String]?, authorizationHeader: String?, accessToken: String?) {
        guard let tokens else {
            self = .allowed
            return
        }
        guard let presented = Self.credentials(authorizationHeader: authorizationHeader) ?? Self.nonEmpty(accessToken) else {
            self = .missingToken
            return
        }
        self = Self.isListed(presented, in: tokens) ? .allowed : .wrongToken
    }

    /// The credentials of an `Authorization` header: what follows `Bearer ` (any case), or the
    /// whole header with another scheme; `nil` when absent or empty.
    static func credentials(authorizationHeader header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "bearer" { return nonEmpty(String(parts[1]).trimmingCharacters()) }
        return nonEmpty(header)
    }

    /// Whether `presented` is one of `tokens`, compared against every token without stopping
    /// early, so timing says little.
    static func isListed(_ presented: String, in tokens: [String]) -> Bool {
        var matched = false
        for token in tokens where constantTimeEquals(token, presented) { matched = true }
        return matched
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    private static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
