import Crypto
import CryptoExtras

/// The key that verifies tokens' signatures, and so the algorithms (`alg`) a token may use.
///
/// The key decides the algorithm family: a `secret` verifies only HS256/384/512, a public key
/// only its own algorithm. A token cannot choose to be checked as an HMAC with the public key
/// as its secret (the classic algorithm-confusion attack), and `alg: none` is never accepted.
///
/// ```swift
/// let shared = JWTKey(secret: "at least 32 bytes of secret, from the environment")
/// let rsa = try JWTKey(pem: try String(contentsOfFile: "public.pem"))   // RS256
/// ```
public struct JWTKey: Sendable {
    enum Material: Sendable {
        case secret(SymmetricKey)
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    let material: Material

    /// The shortest `secret` accepted: RFC 7518 §3.2 requires a key at least as long as the
    /// hash's output (32 bytes for HS256).
    public static let minimumSecretBytes = 32

    /// A shared secret for HS256, HS384 and HS512: its UTF-8 bytes are the HMAC key.
    public init(secret: String) {
        material = .secret(SymmetricKey(data: Array(secret.utf8)))
    }

    init(_ material: Material) {
        self.material = material
    }

    /// The `alg` values this key verifies.
    public var algorithms: [String] {
        switch material {
        case .secret: ["HS256", "HS384", "HS512"]
        case .rsa: ["RS256"]
        case .p256: ["ES256"]
        // RFC 8037 names it EdDSA; RFC 9864 adds the fully specified Ed25519.
        case .ed25519: ["EdDSA", "Ed25519"]
        }
    }

    /// What the key is, for `gateway check` and logs (never the secret).
    public var summary: String {
        switch material {
        case .secret: "a shared secret (HS256, HS384, HS512)"
        case .rsa(let key): "an RSA \(key.keySizeInBits)-bit public key (RS256)"
        case .p256: "a P-256 public key (ES256)"
        case .ed25519: "an Ed25519 public key (EdDSA)"
        }
    }

    /// The public key as PEM, `nil` for a secret: tells a reload that a key file changed.
    public var publicKeyPEM: String? {
        switch material {
        case .secret: nil
        case .rsa(let key): key.pemRepresentation
        case .p256(let key): key.pemRepresentation
        case .ed25519(let key): key.pemRepresentation
        }
    }

    /// Whether `signature` signs `input` (the token's `header.payload` bytes) with `algorithm`,
    /// which must be one of ``algorithms``. HMACs are compared in constant time.
    func isValid(signature: [UInt8], for input: [UInt8], algorithm: String) -> Bool {
        switch (material, algorithm) {
        case (.secret(let key), "HS256"):
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key)
        case (.secret(let key), "HS384"):
            return HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: input, using: key)
        case (.secret(let key), "HS512"):
            return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: input, using: key)
        case (.rsa(let key), "RS256"):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
        case (.p256(let key), "ES256"):
            // JWS carries the raw R || S (RFC 7518 §3.4), not DER.
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: input)
        case (.ed25519(let key), "EdDSA"), (.ed25519(let key), "Ed25519"):
            return key.isValidSignature(signature, for: input)
        default:
            return false
        }
    }
}
