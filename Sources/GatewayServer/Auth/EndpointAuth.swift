import GatewayJWT

/// Who may read an endpoint: listed bearer tokens, JSON Web Tokens, or both (SPEC §6).
///
/// A presented token is first compared with the list; one that is not listed and has the
/// shape of a JWT is verified as one. So: no token → `401`; a JWT that fails (signature,
/// expired, not yet valid, issuer, audience) → `401`; any other unlisted token → `403` with a
/// list (the token is simply not one of ours) or `401` without one.
struct EndpointAuth: Sendable {
    /// The accepted bearer tokens, or `nil` for none.
    var tokens: [String]?
    /// Verifies JWTs, or `nil` when the endpoint takes none.
    var jwt: JWTVerifier?

    /// Whether anything is required at all.
    var isOpen: Bool { tokens == nil && jwt == nil }

    /// What `token` may read at `now` (seconds since 1970), or why it is refused.
    func authenticate(_ token: PresentedToken?, endpoint: String?, now: Double) -> Result<Access, Refusal> {
        if isOpen { return .success(.unrestricted) }
        guard let token else { return .failure(.missing(endpoint: endpoint)) }
        if let tokens, AuthVerdict.isListed(token.value, in: tokens) { return .success(.unrestricted) }
        if let jwt, JWTVerifier.looksLikeJWT(token.value) {
            return jwt.verify(token.value, now: now).mapError { .invalid($0.description, endpoint: endpoint) }
        }
        if tokens != nil { return .failure(.forbidden("this token is not allowed", endpoint: endpoint)) }
        return .failure(.invalid("the token is not a JWT", endpoint: endpoint))
    }
}
