/// Bearer-token checks for an endpoint with `auth:`.
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
        var presented: String?
        if let header = authorizationHeader {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                presented = String(parts[1]).trimmingCharacters()
            } else {
                presented = header
            }
        }
        if presented == nil || presented == "" { presented = accessToken }
        guard let presented, !presented.isEmpty else {
            self = .missingToken
            return
        }
        // Compare against every token without stopping early, so timing says little.
        var matched = false
        for token in tokens where Self.constantTimeEquals(token, presented) { matched = true }
        self = matched ? .allowed : .wrongToken
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
