import GatewayConfig
import NIOHTTP1
import Testing

@testable import GatewayServer

@Suite struct RequestTargetTests {
    @Test func splitsThePathFromAPercentDecodedQuery() throws {
        let target = try #require(RequestTarget("/a%20b?x=1&y=hello+world&z=%2F&x=2&flag"))
        #expect(target.path == "/a b")
        #expect(target.first("x") == "1")
        #expect(target.all("x") == ["1", "2"])
        #expect(target.first("y") == "hello world")
        #expect(target.first("z") == "/")
        #expect(target.first("flag") == "")
        #expect(target.first("missing") == nil)
    }

    @Test(arguments: ["*", "http://example.com/", "/bad%zz", "/q?x=%e2%28"])
    func rejectsTargetsItCannotRead(_ uri: String) {
        #expect(RequestTarget(uri) == nil)
    }
}

@Suite struct AuthVerdictTests {
    let auth = AuthConfig(tokens: ["t1", "t2"])

    @Test func noAuthConfiguredAllowsEveryone() {
        #expect(AuthVerdict(auth: nil, authorizationHeader: nil, accessToken: nil) == .allowed)
    }

    @Test func aListedBearerTokenInTheHeaderOrQueryIsAllowed() {
        #expect(AuthVerdict(auth: auth, authorizationHeader: "Bearer t2", accessToken: nil) == .allowed)
        #expect(AuthVerdict(auth: auth, authorizationHeader: "bearer t1", accessToken: nil) == .allowed)
        #expect(AuthVerdict(auth: auth, authorizationHeader: nil, accessToken: "t1") == .allowed)
    }

    @Test func noTokenIsMissingAndAnUnlistedOneIsWrong() {
        #expect(AuthVerdict(auth: auth, authorizationHeader: nil, accessToken: nil) == .missingToken)
        #expect(AuthVerdict(auth: auth, authorizationHeader: nil, accessToken: "") == .missingToken)
        #expect(AuthVerdict(auth: auth, authorizationHeader: "Bearer t3", accessToken: nil) == .wrongToken)
        #expect(AuthVerdict(auth: auth, authorizationHeader: nil, accessToken: "t") == .wrongToken)
    }
}
