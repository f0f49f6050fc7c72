import Crypto
import CryptoExtras

extension JWTKey {
    /// A public key from a PEM file (`-----BEGIN PUBLIC KEY-----`): RSA of at least 2048 bits
    /// (RS256), P-256 (ES256) or Ed25519 (EdDSA).
    ///
    /// Throws a ``JWTKeyError`` that says what the file holds instead and how to get the public
    /// key out of it: a private key or a certificate is refused rather than used, so that a
    /// private key is never left where only a public key is needed.
    public init(pem text: String) throws(JWTKeyError) {
        guard text.contains("-----BEGIN ") else {
            throw JWTKeyError("holds no PEM block (a line like -----BEGIN PUBLIC KEY-----)")
        }
        if text.contains("PRIVATE KEY-----") {
            throw JWTKeyError(
                "holds a private key; the gateway needs only the public key: openssl pkey -in private.pem -pubout -out public.pem")
        }
        if text.contains("-----BEGIN CERTIFICATE-----") {
            throw JWTKeyError("holds a certificate; give its public key: openssl x509 -in cert.pem -pubkey -noout > public.pem")
        }
        if let key = try? _RSA.Signing.PublicKey(pemRepresentation: text) {
            self.init(.rsa(key))
        } else if let key = try? P256.Signing.PublicKey(pemRepresentation: text) {
            self.init(.p256(key))
        } else if let key = try? Curve25519.Signing.PublicKey(pemRepresentation: text) {
            self.init(.ed25519(key))
        } else if let weak = try? _RSA.Signing.PublicKey(unsafePEMRepresentation: text) {
            throw JWTKeyError("holds an RSA key of \(weak.keySizeInBits) bits; RS256 needs at least 2048")
        } else if (try? P384.Signing.PublicKey(pemRepresentation: text)) != nil || (try? P521.Signing.PublicKey(pemRepresentation: text)) != nil {
            throw JWTKeyError("holds a P-384 or P-521 key; ES256 needs a P-256 key (openssl ecparam -name prime256v1 -genkey)")
        } else {
            throw JWTKeyError("holds no public key the gateway can use: RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA), as -----BEGIN PUBLIC KEY-----")
        }
    }
}

/// Why a key file cannot be used: a sentence that follows the file's name.
public struct JWTKeyError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, e.g. `holds a private key; …`.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
