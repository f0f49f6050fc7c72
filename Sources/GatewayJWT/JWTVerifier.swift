import GatewayPlugin

/// Checks JSON Web Tokens (RFC 7519) for one endpoint: signature, `exp`, `nbf`, `iss`, `aud`,
/// and the optional `gateway` claim (``Access``).
///
/// Synchronous and cheap enough for an event loop: an HMAC costs a few microseconds, an RSA
/// or ECDSA verification some tens; nothing is looked up or fetched.
///
/// ```swift
/// let verifier = JWTVerifier(key: JWTKey(secret: secret), issuer: "https://auth.example", audience: "gateway")
/// switch verifier.verify(token, now: WallClock.now()) {
/// case .success(let access): ...    // may read access.endpoints until access.expiresAt
/// case .failure(let rejection): ... // 401, rejection.description says why
/// }
/// ```
public struct JWTVerifier: Sendable {
    /// Verifies the signatures, and so decides the accepted algorithms.
    public var key: JWTKey
    /// With it, a token's `iss` must equal it.
    public var issuer: String?
    /// With it, a token's `aud` (a string or a list) must name it; without it, a token that has
    /// an `aud` is refused (RFC 7519 §4.1.3: a recipient not named must reject).
    public var audience: String?
    /// How far `exp` and `nbf` may be off, for clocks that disagree a little.
    public var leeway: Duration

    /// The leeway unless configured.
    public static let defaultLeeway: Duration = .seconds(5)
    /// The longest token read; a longer one is refused before any decoding.
    public static let maximumTokenBytes = 16 * 1024

    /// Creates a verifier.
    /// - Parameters:
    ///   - key: the secret or public key.
    ///   - issuer: the required `iss`, if any.
    ///   - audience: the required `aud`, if any.
    ///   - leeway: the tolerance on `exp` and `nbf`.
    public init(key: JWTKey, issuer: String? = nil, audience: String? = nil, leeway: Duration = JWTVerifier.defaultLeeway) {
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    /// Whether `token` has the shape of a JWT (three dot-separated parts), so that a token
    /// that is not one can be told from a JWT that fails its checks.
    public static func looksLikeJWT(_ token: String) -> Bool {
        token.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }

    /// Checks `token` at `now` (seconds since 1970): what it grants, or why it is refused.
    public func verify(_ token: String, now: Double) -> Result<Access, JWTRejection> {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumTokenBytes else { return .failure(.malformed) }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONValue.parse(String(decoding: headerBytes, as: UTF8.self)), case .object = header,
            let payload = try? JSONValue.parse(String(decoding: payloadBytes, as: UTF8.self)), case .object = payload
        else { return .failure(.malformed) }

        guard let algorithm = header["alg"]?.string, key.algorithms.contains(algorithm) else { return .failure(.algorithmNotAccepted) }
        if header["crit"] != nil { return .failure(.criticalHeader) }
        let signingInput = Array(bytes[..<(parts[1].endIndex)])
        guard key.isValid(signature: signature, for: signingInput, algorithm: algorithm) else { return .failure(.badSignature) }
        return check(payload, now: now)
    }

    /// The claims of a payload whose signature verified.
    private func check(_ payload: JSONValue, now: Double) -> Result<Access, JWTRejection> {
        let leewaySeconds = Double(leeway.components.seconds) + Double(leeway.components.attoseconds) / 1e18
        var access = Access()
        if let exp = payload["exp"] {
            guard let seconds = exp.number else { return .failure(.badClaim("exp")) }
            guard now <= seconds + leewaySeconds else { return .failure(.expired) }
            access.expiresAt = seconds + leewaySeconds
        }
        if let nbf = payload["nbf"] {
            guard let seconds = nbf.number else { return .failure(.badClaim("nbf")) }
            guard now + leewaySeconds >= seconds else { return .failure(.notYetValid) }
        }
        if let issuer {
            guard payload["iss"]?.string == issuer else { return .failure(.wrongIssuer) }
        }
        if let aud = payload["aud"] {
            let named: [String]
            if let single = aud.string {
                named = [single]
            } else if let list = aud.array {
                named = list.compactMap(\.string)
                guard named.count == list.count else { return .failure(.badClaim("aud")) }
            } else {
                return .failure(.badClaim("aud"))
            }
            guard let audience, named.contains(audience) else { return .failure(.wrongAudience) }
        } else if audience != nil {
            return .failure(.wrongAudience)
        }
        if let sub = payload["sub"] {
            guard let subject = sub.string else { return .failure(.badClaim("sub")) }
            access.subject = subject
        }
        if let claim = payload["gateway"], let problem = Access.readClaim(claim, into: &access) {
            return .failure(.badGatewayClaim(problem))
        }
        return .success(access)
    }
}
