import Crypto
import CryptoExtras
import GatewayJWT

/// Signs test tokens with keys made in the test: what an issuer would do.
enum Mint {
    /// A signer: the `alg` it writes and how it signs `header.payload`.
    struct Signer: Sendable {
        var algorithm: String
        var sign: @Sendable ([UInt8]) throws -> [UInt8]
        /// The public key as PEM (`nil` for a shared secret).
        var publicPEM: String?
    }

    static let secret = "a shared secret of thirty-two bytes or more, for tests"

    static func hmac(_ algorithm: String, secret: String = Mint.secret) -> Signer {
        let key = SymmetricKey(data: Array(secret.utf8))
        return Signer(
            algorithm: algorithm,
            sign: { input in
                switch algorithm {
                case "HS384": Array(HMAC<SHA384>.authenticationCode(for: input, using: key))
                case "HS512": Array(HMAC<SHA512>.authenticationCode(for: input, using: key))
                default: Array(HMAC<SHA256>.authenticationCode(for: input, using: key))
                }
            }, publicPEM: nil)
    }

    static func rsa() throws -> Signer {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return Signer(
            algorithm: "RS256",
            sign: { input in
                Array(try key.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
            }, publicPEM: key.publicKey.pemRepresentation)
    }

    static func p256() -> Signer {
        let key = P256.Signing.PrivateKey()
        return Signer(
            algorithm: "ES256", sign: { input in Array(try key.signature(for: input).rawRepresentation) }, publicPEM: key.publicKey.pemRepresentation)
    }

    static func ed25519() -> Signer {
        let key = Curve25519.Signing.PrivateKey()
        return Signer(algorithm: "EdDSA", sign: { input in Array(try key.signature(for: input)) }, publicPEM: key.publicKey.pemRepresentation)
    }

    /// A compact JWT with `payload` (JSON text) signed by `signer`; `header` replaces the usual one.
    static func token(_ payload: String, signer: Signer, header: String? = nil) throws -> String {
        let head = Base64URL.encode(Array((header ?? #"{"alg":"\#(signer.algorithm)","typ":"JWT"}"#).utf8))
        let body = Base64URL.encode(Array(payload.utf8))
        let input = Array("\(head).\(body)".utf8)
        return "\(head).\(body).\(Base64URL.encode(try signer.sign(input)))"
    }
}
