import GatewayJWT
import Testing

@Suite struct JWTVerifierTests {
    static let now = 1_700_000_000.0
    static let hs256 = Mint.hmac("HS256")
    static let verifier = JWTVerifier(key: JWTKey(secret: Mint.secret))

    func verify(_ payload: String, verifier: JWTVerifier = Self.verifier, signer: Mint.Signer = Self.hs256, header: String? = nil)
        throws -> Result<Access, JWTRejection>
    {
        verifier.verify(try Mint.token(payload, signer: signer, header: header), now: Self.now)
    }

    @Test(arguments: ["HS256", "HS384", "HS512"])
    func aSharedSecretVerifiesEveryHMACAlgorithm(_ algorithm: String) throws {
        let access = try verify(#"{"sub":"alice"}"#, signer: Mint.hmac(algorithm)).get()
        #expect(access.subject == "alice")
        #expect(access.expiresAt == nil)
    }

    @Test func eachPublicKeyVerifiesItsOwnAlgorithm() throws {
        for signer in [try Mint.rsa(), Mint.p256(), Mint.ed25519()] {
            let key = try JWTKey(pem: #require(signer.publicPEM))
            #expect(key.algorithms.contains(signer.algorithm))
            let verifier = JWTVerifier(key: key)
            let access = try verify(#"{"sub":"bob","exp":1700000100}"#, verifier: verifier, signer: signer).get()
            #expect(access.subject == "bob", "\(signer.algorithm)")
            #expect(access.expiresAt == 1_700_000_105, "exp plus the default leeway")
            // Another key of the same kind does not verify it.
            let other = try [Mint.rsa(), Mint.p256(), Mint.ed25519()].first { $0.algorithm == signer.algorithm }!
            let stranger = JWTVerifier(key: try JWTKey(pem: #require(other.publicPEM)))
            #expect(try verify("{}", verifier: stranger, signer: signer) == .failure(.badSignature), "\(signer.algorithm)")
        }
    }

    @Test func aWrongSecretOrATamperedPayloadFailsTheSignature() throws {
        #expect(try verify("{}", signer: Mint.hmac("HS256", secret: String(repeating: "x", count: 40))) == .failure(.badSignature))
        let token = try Mint.token(#"{"sub":"alice"}"#, signer: Self.hs256)
        let parts = token.split(separator: ".")
        let forged = "\(parts[0]).\(Base64URL.encode(Array(#"{"sub":"admin"}"#.utf8))).\(parts[2])"
        #expect(Self.verifier.verify(forged, now: Self.now) == .failure(.badSignature))
    }

    @Test func theKeyDecidesTheAlgorithmsSoNoneAndConfusionAreRefused() throws {
        #expect(try verify("{}", header: #"{"alg":"none"}"#) == .failure(.algorithmNotAccepted))
        #expect(try verify("{}", header: #"{"typ":"JWT"}"#) == .failure(.algorithmNotAccepted))
        // An HMAC "signed" with the public key's text, offered to a verifier holding that public key.
        let rsa = try Mint.rsa()
        let pem = try #require(rsa.publicPEM)
        let confused = Mint.hmac("HS256", secret: pem)
        #expect(try verify("{}", verifier: JWTVerifier(key: try JWTKey(pem: pem)), signer: confused) == .failure(.algorithmNotAccepted))
        // And an RS256 token offered to a secret.
        #expect(try verify("{}", signer: rsa) == .failure(.algorithmNotAccepted))
    }

    @Test func criticalHeaderExtensionsAreRefused() throws {
        #expect(try verify("{}", header: #"{"alg":"HS256","crit":["b64"],"b64":false}"#) == .failure(.criticalHeader))
    }

    @Test(arguments: ["", "a.b", "a.b.c.d", "e30.e30.!!", "bm90IGpzb24.e30.", "W10.e30."])
    func whatIsNotACompactJWTIsMalformed(_ token: String) {
        #expect(Self.verifier.verify(token, now: Self.now) == .failure(.malformed))
    }

    @Test func expiryAndNotBeforeAreCheckedWithTheLeeway() throws {
        let strict = JWTVerifier(key: JWTKey(secret: Mint.secret), leeway: .zero)
        #expect(try verify(#"{"exp":1700000000}"#, verifier: strict).map(\.expiresAt) == .success(1_700_000_000))
        #expect(try verify(#"{"exp":1699999999.5}"#, verifier: strict) == .failure(.expired))
        #expect(try verify(#"{"exp":1699999996}"#).map(\.expiresAt) == .success(1_700_000_001), "within the default 5 s")
        #expect(try verify(#"{"exp":1699999994}"#) == .failure(.expired))
        #expect(try verify(#"{"nbf":1700000001}"#, verifier: strict) == .failure(.notYetValid))
        #expect(try verify(#"{"nbf":1700000004}"#).map(\.subject) == .success(nil))
        #expect(try verify(#"{"nbf":1700000006}"#) == .failure(.notYetValid))
        #expect(try verify(#"{"exp":"tomorrow"}"#) == .failure(.badClaim("exp")))
        #expect(try verify(#"{"nbf":null}"#) == .failure(.badClaim("nbf")))
    }

    @Test func issuerMustMatchWhenConfigured() throws {
        let verifier = JWTVerifier(key: JWTKey(secret: Mint.secret), issuer: "https://auth.example")
        #expect(try verify(#"{"iss":"https://auth.example"}"#, verifier: verifier).map(\.subject) == .success(nil))
        #expect(try verify(#"{"iss":"https://evil.example"}"#, verifier: verifier) == .failure(.wrongIssuer))
        #expect(try verify("{}", verifier: verifier) == .failure(.wrongIssuer))
        #expect(try verify(#"{"iss":"anyone"}"#).map(\.subject) == .success(nil), "no issuer configured: not checked")
    }

    @Test func audienceMustBeNamedWhenConfiguredAndATokenForSomeoneElseIsRefused() throws {
        let verifier = JWTVerifier(key: JWTKey(secret: Mint.secret), audience: "gateway")
        #expect(try verify(#"{"aud":"gateway"}"#, verifier: verifier).map(\.subject) == .success(nil))
        #expect(try verify(#"{"aud":["api","gateway"]}"#, verifier: verifier).map(\.subject) == .success(nil))
        #expect(try verify(#"{"aud":["api"]}"#, verifier: verifier) == .failure(.wrongAudience))
        #expect(try verify("{}", verifier: verifier) == .failure(.wrongAudience))
        #expect(try verify(#"{"aud":["gateway",1]}"#, verifier: verifier) == .failure(.badClaim("aud")))
        // RFC 7519 §4.1.3: a token addressed to an audience is not for a recipient that names none.
        #expect(try verify(#"{"aud":"api"}"#) == .failure(.wrongAudience))
    }

    @Test func theGatewayClaimRestrictsEndpointsAndEvents() throws {
        let access = try verify(#"{"sub":"42","gateway":{"endpoints":["/orders/{sub}","/quotes"],"events":["created"]}}"#).get()
        #expect(access.endpoints?.map(\.description) == ["/orders/{sub}", "/quotes"])
        #expect(access.events == ["created"])
        #expect(access.allows(["orders", "42"]))
        #expect(!access.allows(["orders", "43"]))
        #expect(access.allows(["quotes"]))
        #expect(!access.allows(["trades"]))
    }

    @Test(arguments: [
        #"{"gateway":[]}"#, #"{"gateway":{"endpoints":"/orders"}}"#, #"{"gateway":{"endpoints":["orders"]}}"#,
        #"{"gateway":{"events":[1]}}"#, #"{"gateway":{"event":["created"]}}"#,
    ])
    func aGatewayClaimThatCannotBeReadMakesTheTokenInvalidNotBroader(_ payload: String) throws {
        guard case .failure(.badGatewayClaim) = try verify(payload) else {
            Issue.record("accepted \(payload)")
            return
        }
    }

    @Test func rejectionsSayWhyWithoutQuotingTheToken() throws {
        let token = try Mint.token(#"{"exp":1}"#, signer: Self.hs256)
        guard case .failure(let rejection) = Self.verifier.verify(token, now: Self.now) else {
            Issue.record("accepted")
            return
        }
        #expect(rejection.description == "the token has expired")
        #expect(!rejection.description.contains(token))
    }
}
