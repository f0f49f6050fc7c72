import Crypto
import GatewayJWT

/// HS256 tokens signed in the test, as an issuer would sign them.
enum TestTokens {
    static let secret = "a shared secret of thirty-two bytes or more, for tests"
    static let verifier = JWTVerifier(key: JWTKey(secret: secret), leeway: .zero)

    /// A token whose payload is `claims` (JSON text), signed with ``secret`` (or `secret`).
    static func hs256(_ claims: String, secret: String = TestTokens.secret) -> String {
        let head = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let body = Base64URL.encode(Array(claims.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(head).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "\(head).\(body).\(Base64URL.encode(Array(mac)))"
    }

    /// `exp` this many seconds from now.
    static func expiring(in seconds: Double, _ more: String = "") -> String {
        hs256(#"{"exp":\#(Int(WallClock.now() + seconds))\#(more.isEmpty ? "" : "," + more)}"#)
    }
}
