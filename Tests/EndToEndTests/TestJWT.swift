import Crypto
import Foundation

/// JWTs for the end-to-end tests, signed here as an issuer would sign them.
enum TestJWT {
    static let secret = "an end-to-end secret of thirty-two bytes or more"

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// An HS256 token with `claims` (JSON text).
    static func hs256(_ claims: String) -> String {
        sign(claims, algorithm: "HS256") { input in
            Array(HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: Array(secret.utf8))))
        }
    }

    /// An EdDSA token with `claims`, signed by `key`.
    static func edDSA(_ claims: String, key: Curve25519.Signing.PrivateKey) throws -> String {
        try sign(claims, algorithm: "EdDSA") { input in Array(try key.signature(for: input)) }
    }

    private static func sign(_ claims: String, algorithm: String, _ signature: ([UInt8]) throws -> [UInt8]) rethrows -> String {
        let input = base64URL(Array(#"{"alg":"\#(algorithm)","typ":"JWT"}"#.utf8)) + "." + base64URL(Array(claims.utf8))
        return input + "." + base64URL(try signature(Array(input.utf8)))
    }

    /// Seconds since 1970, `offset` from now.
    static func time(_ offset: Double) -> String {
        String(format: "%.3f", Date().timeIntervalSince1970 + offset)
    }
}
