/// Why a token was not accepted: logged, and sent as the `401`'s description. It never holds
/// the token or text taken from it, so it is safe to log as it is.
public enum JWTRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not three Base64URL parts with a JSON object header and payload.
    case malformed
    /// The header's `alg` is not one the configured key verifies (`none` included).
    case algorithmNotAccepted
    /// The header lists `crit` extensions, which the gateway implements none of (RFC 7515 §4.1.11).
    case criticalHeader
    /// The signature does not verify with the configured key.
    case badSignature
    /// `exp` (plus the leeway) has passed.
    case expired
    /// `nbf` (less the leeway) has not come yet.
    case notYetValid
    /// `iss` is not the configured issuer.
    case wrongIssuer
    /// `aud` does not name the configured audience, or names one when none is configured.
    case wrongAudience
    /// A registered claim has the wrong type (`exp` as a string, say).
    case badClaim(String)
    /// The `gateway` claim cannot be read.
    case badGatewayClaim(String)

    public var description: String {
        switch self {
        case .malformed: "the token is not a JWT (three Base64URL parts, JSON header and payload)"
        case .algorithmNotAccepted: "the token's alg is not one the configured key verifies"
        case .criticalHeader: "the token's header has crit extensions, which the gateway does not implement"
        case .badSignature: "the token's signature does not verify"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet (nbf)"
        case .wrongIssuer: "the token's issuer (iss) is not the one configured"
        case .wrongAudience: "the token's audience (aud) does not name the one configured (or names one when none is)"
        case .badClaim(let name): "the token's \(name) claim has the wrong type"
        case .badGatewayClaim(let reason): reason
        }
    }
}
