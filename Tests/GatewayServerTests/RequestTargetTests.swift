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
    let tokens = ["t1", "t2"]

    @Test func noAuthConfiguredAllowsEveryone() {
        #expect(AuthVerdict(tokens: nil, authorizationHeader: nil, accessToken: nil) == .allowed)
    }

    @Test func aListedBearerTokenInTheHeaderOrQueryIsAllowed() {
        #expect(AuthVerdict(tokens: tokens, authorizationHeader: "Bearer t2", accessToken: nil) == .allowed)
        #expect(AuthVerdict(tokens: tokens, authorizationHeader: "bearer t1", accessToken: nil) == .allowed)
        #expect(AuthVerdict(tokens: tokens, authorizationHeader: nil, accessToken: "t1") == .allowed)
    }

    @Test func noTokenIsMissingAndAnUnlistedOneIsWrong() {
        #expect(AuthVerdict(tokens: tokens, authorizationHeader: nil, accessToken: nil) == .missingToken)
        #expect(AuthVerdict(tokens: tokens, authorizationHeader: nil, accessToken: "") == .missingToken)
        #expect(AuthVerdict(tokens: tokens, authorizationHeader: "Bearer t3", accessToken: nil) == .wrongToken)
        #expect(AuthVerdict(tokens: tokens, authorizationHeader: nil, accessToken: "t") == .wrongToken)
    }
}
