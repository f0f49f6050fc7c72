import Crypto
import CryptoExtras
import Foundation
import GatewayCLI
import GatewayConfig
import GatewayJWT
import Testing

/// `auth.jwt` (SPEC §6): what it takes, and every mistake with its position.
@Suite struct JWTConfigTests {
    static let secret = String(repeating: "k", count: 32)
    let loader = ConfigLoader(registry: .builtins, environment: ["JWT_SECRET": Self.secret, "EMPTY": ""])

    func problems(_ yaml: String) -> [String] {
        switch loader.load(yaml: yaml, file: "g.yaml") {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    /// A configuration whose one endpoint has `auth` as given (indented under `auth:`).
    func yaml(auth: String) -> String {
        """
        sources:
          ticks: { type: generate, interval: 1s }
        endpoints:
          - path: /ticks
            from: [ticks]
            auth:
        \(auth.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    /// A PEM file in a folder of its own; the folder is removed by the caller.
    func write(_ text: String) throws -> (file: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("key.pem")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (file.path, folder)
    }

    @Test func aSecretFromTheEnvironmentWithIssuerAudienceAndLeeway() throws {
        let configuration = try loader.load(
            yaml: yaml(auth: "jwt:\n  secret: ${JWT_SECRET}\n  issuer: https://auth.example\n  audience: gateway\n  leeway: 30s"),
            file: "g.yaml"
        ).get()
        let auth = try #require(configuration.endpoints[0].auth)
        #expect(auth.tokens == nil)
        let jwt = try #require(auth.jwt)
        #expect(jwt.key.algorithms == ["HS256", "HS384", "HS512"])
        #expect(jwt.issuer == "https://auth.example")
        #expect(jwt.audience == "gateway")
        #expect(jwt.leeway == .seconds(30))
    }

    @Test func tokensAndJWTTogetherAndTheDefaultLeeway() throws {
        let configuration = try loader.load(yaml: yaml(auth: "tokens: [t1]\njwt: { secret: \"${JWT_SECRET}\" }"), file: "g.yaml").get()
        let auth = try #require(configuration.endpoints[0].auth)
        #expect(auth.tokens == ["t1"])
        #expect(auth.jwt?.leeway == JWTVerifier.defaultLeeway)
        #expect(auth.jwt?.issuer == nil && auth.jwt?.audience == nil)
    }

    @Test func eachKindOfPublicKeyFileIsReadAtLoad() throws {
        let keys: [(String, String)] = [
            (try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation, "an RSA 2048-bit public key (RS256)"),
            (P256.Signing.PrivateKey().publicKey.pemRepresentation, "a P-256 public key (ES256)"),
            (Curve25519.Signing.PrivateKey().publicKey.pemRepresentation, "an Ed25519 public key (EdDSA)"),
        ]
        for (pem, summary) in keys {
            let (file, folder) = try write(pem)
            defer { try? FileManager.default.removeItem(at: folder) }
            let configuration = try loader.load(yaml: yaml(auth: "jwt: { public_key: '\(file)' }"), file: "g.yaml").get()
            #expect(configuration.endpoints[0].auth?.jwt?.key.summary == summary)
        }
    }

    @Test func authNeedsTokensOrJWT() {
        #expect(
            problems(yaml(auth: "{}")) == ["g.yaml:7:7: 'auth' needs 'tokens' (a list of accepted bearer tokens), 'jwt' (JSON Web Tokens), or both"])
    }

    @Test func jwtNeedsOneKey() {
        #expect(
            problems(yaml(auth: "jwt: { issuer: x }")) == [
                "g.yaml:7:12: 'auth.jwt' needs 'secret' (HS256, HS384, HS512) or 'public_key' (a PEM file: RS256, ES256 or EdDSA)"
            ])
        #expect(
            problems(yaml(auth: "jwt:\n  secret: ${JWT_SECRET}\n  public_key: key.pem")) == [
                "g.yaml:9:21: 'auth.jwt' takes 'secret' or 'public_key', not both"
            ])
    }

    @Test func aShortOrEmptySecretIsRefusedWithItsPosition() {
        #expect(
            problems(yaml(auth: "jwt:\n  secret: short")) == [
                "g.yaml:8:17: 'auth.jwt.secret' must be at least 32 bytes, as RFC 7518 requires for HS256, found 5; make one with: openssl rand -base64 32"
            ])
        #expect(problems(yaml(auth: "jwt:\n  secret: \"${EMPTY}\""))[0].contains("found 0 (is an environment variable empty?)"))
        #expect(problems(yaml(auth: "jwt:\n  secret: [a]")) == ["g.yaml:8:17: 'auth.jwt.secret' must be a string, found a list"])
    }

    @Test func aKeyFileThatIsMissingOrHoldsTheWrongThingIsAnErrorAtItsPosition() throws {
        #expect(
            problems(yaml(auth: "jwt:\n  public_key: /nonexistent/key.pem")) == [
                "g.yaml:8:21: cannot read 'auth.jwt.public_key' file '/nonexistent/key.pem' (relative paths start at the working directory)"
            ])
        let (file, folder) = try write(P256.Signing.PrivateKey().pemRepresentation)
        defer { try? FileManager.default.removeItem(at: folder) }
        let found = problems(yaml(auth: "jwt:\n  public_key: \(file)"))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("g.yaml:8:21: 'auth.jwt.public_key' file '\(file)' holds a private key") == true, "\(found)")
        let (garbage, other) = try write("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        defer { try? FileManager.default.removeItem(at: other) }
        #expect(problems(yaml(auth: "jwt:\n  public_key: \(garbage)")).first?.contains("holds no public key the gateway can use") == true)
    }

    @Test func otherOptionsAreCheckedToo() {
        let found = problems(yaml(auth: "jwt:\n  secret: ${JWT_SECRET}\n  issuerr: x\n  audience: ''\n  leeway: 1h"))
        #expect(
            found == [
                "g.yaml:9:9: unknown key 'issuerr' in 'jwt'. Did you mean 'issuer'?",
                "g.yaml:10:19: 'auth.jwt.audience' must not be empty (is an environment variable empty?)",
                "g.yaml:11:17: 'auth.jwt.leeway' must be at most 5m",
            ])
    }

    @Test func theTicketPathIsTheGatewaysOwn() {
        let found = problems(
            """
            sources:
              ticks: { type: generate, interval: 1s }
            endpoints:
              - path: /_gateway/ticket
                from: [ticks]
            """)
        #expect(found == ["g.yaml:4:11: 'path' '/_gateway/ticket' is served by the gateway itself; choose another"])
    }
}
