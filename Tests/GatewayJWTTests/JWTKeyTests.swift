import Crypto
import CryptoExtras
import GatewayJWT
import Testing

@Suite struct JWTKeyTests {
    @Test func eachKindOfPublicKeyIsRecognisedAndSummarised() throws {
        #expect(try JWTKey(pem: #require(Mint.rsa().publicPEM)).summary == "an RSA 2048-bit public key (RS256)")
        #expect(try JWTKey(pem: #require(Mint.p256().publicPEM)).summary == "a P-256 public key (ES256)")
        #expect(try JWTKey(pem: #require(Mint.ed25519().publicPEM)).summary == "an Ed25519 public key (EdDSA)")
        #expect(JWTKey(secret: Mint.secret).summary == "a shared secret (HS256, HS384, HS512)")
    }

    func problem(_ pem: String) -> String? {
        do {
            _ = try JWTKey(pem: pem)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aPrivateKeyIsRefusedWithTheCommandThatExtractsThePublicOne() {
        let message = problem(P256.Signing.PrivateKey().pemRepresentation)
        #expect(message?.contains("private key") == true)
        #expect(message?.contains("openssl pkey -in private.pem -pubout") == true)
    }

    @Test func otherContentIsRefusedWithWhatItIs() throws {
        #expect(problem("just text")?.contains("no PEM block") == true)
        #expect(problem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")?.contains("certificate") == true)
        #expect(problem(P384.Signing.PrivateKey().publicKey.pemRepresentation)?.contains("P-384 or P-521") == true)
        #expect(problem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")?.contains("no public key the gateway can use") == true)
        let small = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        #expect(problem(small.publicKey.pemRepresentation) == "holds an RSA key of 1024 bits; RS256 needs at least 2048")
    }
}
