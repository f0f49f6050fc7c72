import GatewayJWT
import GatewayPlugin
import NIOHTTP1
import Testing

@testable import GatewayServer

/// SPEC §6 from the router's side: JWTs from the header, the query or the cookie; the
/// `gateway` claim; tickets.
@Suite struct RouterAuthTests {
    static let orders = testEndpoint("/orders/{customer}", jwt: TestTokens.verifier, channel: .dataPath(JSONPath("customer")!))
    static let quotes = testEndpoint("/quotes", jwt: TestTokens.verifier)
    static let both = testEndpoint("/both", tokens: ["static-token"], jwt: TestTokens.verifier)
    static let open = testEndpoint("/open")

    let router = Router(endpoints: [Self.orders, Self.quotes, Self.both, Self.open], statusStream: nil, server: ServerSettings())

    /// What a GET of `uri` gets: the stream's types and closing time, or the refusal's status and reason.
    enum Outcome: Equatable {
        case stream(types: Set<String>?, closesAt: Double?)
        case refused(UInt, String)
        case other
    }

    func get(_ uri: String, headers: [(String, String)] = [], router: Router? = nil) -> Outcome {
        switch (router ?? self.router).route(method: .GET, uri: uri, headers: HTTPHeaders(headers)) {
        case .stream(_, _, _, let types, _, let closesAt): return .stream(types: types, closesAt: closesAt)
        case .refuse(let refusal, _): return .refused(refusal.status.code, refusal.reason)
        default: return .other
        }
    }

    @Test func aJWTIsTakenFromTheHeaderTheQueryOrTheCookie() {
        let token = TestTokens.expiring(in: 60)
        let exp = Double(Int(WallClock.now() + 60))
        #expect(get("/quotes", headers: [("Authorization", "Bearer \(token)")]) == .stream(types: nil, closesAt: exp))
        #expect(get("/quotes?access_token=\(token)") == .stream(types: nil, closesAt: exp))
        #expect(get("/quotes", headers: [("Cookie", "theme=dark; gateway_token=\(token); x=1")]) == .stream(types: nil, closesAt: exp))
        #expect(get("/quotes", headers: [("Cookie", "gateway_token=\"\(token)\"")]) == .stream(types: nil, closesAt: exp))
    }

    @Test func noTokenOrAnInvalidOneIs401WithTheReason() {
        #expect(get("/quotes") == .refused(401, "a bearer token is required"))
        #expect(get("/quotes?access_token=\(TestTokens.expiring(in: -10))") == .refused(401, "the token has expired"))
        #expect(
            get("/quotes?access_token=\(TestTokens.hs256(#"{"nbf":\#(Int(WallClock.now() + 60))}"#))")
                == .refused(401, "the token is not valid yet (nbf)"))
        let forged = TestTokens.hs256("{}", secret: String(repeating: "y", count: 40))
        #expect(get("/quotes?access_token=\(forged)") == .refused(401, "the token's signature does not verify"))
        #expect(get("/quotes?access_token=not-a-jwt") == .refused(401, "the token is not a JWT"))
        #expect(get("/quotes", headers: [("Cookie", "other_token=\(TestTokens.expiring(in: 60))")]) == .refused(401, "a bearer token is required"))
    }

    @Test func theChallengeNamesTheErrorButNeverTheToken() throws {
        let token = TestTokens.expiring(in: -10)
        guard case .refuse(let refusal, _) = router.route(method: .GET, uri: "/quotes?access_token=\(token)", headers: [:]) else {
            Issue.record("expected a refusal")
            return
        }
        let response = refusal.response(corsHeaders: [])
        let challenge = try #require(response.headers.first { $0.0 == "WWW-Authenticate" }?.1)
        #expect(challenge == #"Bearer error="invalid_token", error_description="the token has expired""#)
        #expect(!response.body.contains(token))
    }

    @Test func listedTokensAndJWTsWorkSideBySide() {
        #expect(get("/both?access_token=static-token") == .stream(types: nil, closesAt: nil))
        #expect(get("/both?access_token=\(TestTokens.hs256("{}"))") == .stream(types: nil, closesAt: nil))
        #expect(get("/both?access_token=other-token") == .refused(403, "this token is not allowed"))
        #expect(get("/both?access_token=\(TestTokens.expiring(in: -10))") == .refused(401, "the token has expired"))
        #expect(get("/quotes?access_token=static-token") == .refused(401, "the token is not a JWT"))
    }

    @Test func theGatewayClaimsEndpointsDecideWhatIsForbidden() {
        let alice = TestTokens.hs256(#"{"sub":"alice","gateway":{"endpoints":["/orders/{sub}"]}}"#)
        #expect(get("/orders/alice?access_token=\(alice)") == .stream(types: nil, closesAt: nil))
        #expect(get("/orders/bob?access_token=\(alice)") == .refused(403, "the token may not read channel 'bob'"))
        #expect(get("/orders/*?channels=alice&access_token=\(alice)") == .stream(types: nil, closesAt: nil))
        #expect(get("/orders/*?channels=alice,bob&access_token=\(alice)") == .refused(403, "the token may not read channel 'bob'"))
        #expect(get("/quotes?access_token=\(alice)") == .refused(403, "the token may not read this endpoint"))
        let every = TestTokens.hs256(#"{"gateway":{"endpoints":["/orders/*","/quotes"]}}"#)
        #expect(get("/orders/zed?access_token=\(every)") == .stream(types: nil, closesAt: nil))
        #expect(get("/quotes?access_token=\(every)") == .stream(types: nil, closesAt: nil))
        let one = TestTokens.hs256(#"{"gateway":{"endpoints":["/orders/42"]}}"#)
        #expect(get("/orders/42?access_token=\(one)") == .stream(types: nil, closesAt: nil))
        #expect(get("/orders/43?access_token=\(one)") == .refused(403, "the token may not read channel '43'"))
    }

    @Test func theGatewayClaimsEventsNarrowWhatTheClientAsks() {
        let token = TestTokens.hs256(#"{"gateway":{"events":["created","updated"]}}"#)
        #expect(get("/quotes?access_token=\(token)") == .stream(types: ["created", "updated"], closesAt: nil))
        #expect(get("/quotes?event=created,deleted&access_token=\(token)") == .stream(types: ["created"], closesAt: nil))
        #expect(get("/quotes?event=deleted&access_token=\(token)") == .stream(types: [], closesAt: nil))
    }

    @Test func anOpenEndpointReadsNoCredentialsAndUsesUpNoTicket() throws {
        let tickets = TicketStore()
        let router = Router(endpoints: [Self.open, Self.quotes], statusStream: nil, tickets: tickets, server: ServerSettings())
        let id = try #require(tickets.issue(TicketStore.Ticket(endpoint: "/quotes", access: .unrestricted)))
        #expect(get("/open?ticket=\(id)&access_token=junk", router: router) == .stream(types: nil, closesAt: nil))
        #expect(get("/quotes?ticket=\(id)", router: router) == .stream(types: nil, closesAt: nil))
    }

    // MARK: Tickets

    /// The answer to a ticket request: its status code, a space, its body or reason.
    func issue(_ body: String, token: String?, router: Router? = nil) -> String {
        let presented = token.map { PresentedToken(value: $0, source: .header) }
        switch (router ?? self.router).issueTicket(body: Array(body.utf8), token: presented, corsHeaders: []) {
        case .respond(let response): return "\(response.status.code) \(response.body.trimmingSuffix("\n"))"
        case .refuse(let refusal, _): return "\(refusal.status.code) \(refusal.reason)"
        default: return ""
        }
    }

    func ticket(in body: String) -> String? {
        body.firstMatch(of: /"ticket":"([A-Za-z0-9_-]+)"/).map { String($0.1) }
    }

    @Test func theTicketPathTakesPostAndPreflightOnlyWithTheTokenFromTheHeader() {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer abc")
        guard case .ticket(let token, _) = router.route(method: .POST, uri: Router.ticketPath + "?access_token=q", headers: headers) else {
            Issue.record("expected a ticket route")
            return
        }
        #expect(token == PresentedToken(value: "abc", source: .header))
        guard case .ticket(nil, _) = router.route(method: .POST, uri: Router.ticketPath + "?access_token=q", headers: [:]) else {
            Issue.record("the query is not read for a ticket")
            return
        }
        guard case .respond(let response) = router.route(method: .GET, uri: Router.ticketPath, headers: [:]) else {
            Issue.record("expected a response")
            return
        }
        #expect(response.status == .methodNotAllowed)
    }

    @Test func aTicketOpensOneStreamOnceWithTheTokensClaimsAndExpiry() throws {
        let exp = Int(WallClock.now() + 600)
        let token = TestTokens.hs256(#"{"sub":"alice","exp":\#(exp),"gateway":{"endpoints":["/orders/{sub}"],"events":["created"]}}"#)
        let answer = issue(#"{"endpoint": "/orders/alice"}"#, token: token)
        #expect(answer.hasPrefix("200 "))
        #expect(answer.contains(#""expires_in":30"#))
        let id = try #require(ticket(in: answer))
        #expect(get("/orders/bob?ticket=\(id)") == .refused(403, "the token may not read channel 'bob'"), "the claims carry over")
        let again = try #require(ticket(in: issue(#"{"endpoint": "/orders/alice"}"#, token: token)))
        #expect(get("/orders/alice?ticket=\(again)&event=created,deleted") == .stream(types: ["created"], closesAt: Double(exp)))
        #expect(get("/orders/alice?ticket=\(again)") == .refused(401, "the ticket is unknown, used or expired"))
        let third = try #require(ticket(in: issue(#"{"endpoint": "/orders/alice"}"#, token: token)))
        #expect(get("/quotes?ticket=\(third)") == .refused(403, "the ticket was issued for another endpoint"))
    }

    @Test func aTicketRequestIsCheckedAsAStreamOfItsEndpointWouldBe() {
        let alice = TestTokens.hs256(#"{"sub":"alice","gateway":{"endpoints":["/orders/{sub}"]}}"#)
        #expect(issue(#"{"endpoint": "/orders/alice"}"#, token: nil) == "401 a bearer token is required")
        #expect(issue(#"{"endpoint": "/orders/alice"}"#, token: TestTokens.expiring(in: -5)) == "401 the token has expired")
        #expect(issue(#"{"endpoint": "/orders/bob"}"#, token: alice) == "403 the token may not read channel 'bob'")
        #expect(issue(#"{"endpoint": "/quotes"}"#, token: alice) == "403 the token may not read this endpoint")
        #expect(issue(#"{"endpoint": "/both"}"#, token: "static-token").hasPrefix("200 "))
        #expect(issue(#"{"endpoint": "/nowhere"}"#, token: alice) == "404 no endpoint serves '/nowhere'")
    }

    @Test(arguments: [
        "", "not json", "[]", #"{"endpoint": 1}"#, #"{"endpoint": "orders"}"#, #"{}"#, #"{"endpoint": "/quotes", "extra": 1}"#,
        #"{"endpoint": "/orders/*"}"#,
    ])
    func aBadBodyIs400(_ body: String) {
        #expect(issue(body, token: TestTokens.hs256("{}")).hasPrefix("400 "))
    }

    @Test func aFullStoreAnswers503() {
        let router = Router(endpoints: [Self.quotes], statusStream: nil, tickets: TicketStore(capacity: 1), server: ServerSettings())
        let token = TestTokens.hs256("{}")
        #expect(issue(#"{"endpoint": "/quotes"}"#, token: token, router: router).hasPrefix("200 "))
        #expect(issue(#"{"endpoint": "/quotes"}"#, token: token, router: router).hasPrefix("503 "))
    }

    @Test func aListedOriginMaySendCredentialsButAnyOriginMayNot() {
        var listed = ServerSettings()
        listed.corsOrigins = ["https://app.example"]
        let names = Dictionary(
            Router(endpoints: [], statusStream: nil, server: listed).corsHeaders(origin: "https://app.example"), uniquingKeysWith: { a, _ in a })
        #expect(names["Access-Control-Allow-Credentials"] == "true")
        var any = ServerSettings()
        any.corsOrigins = ["*"]
        let star = Router(endpoints: [], statusStream: nil, server: any).corsHeaders(origin: "https://app.example")
        #expect(!star.contains { $0.0 == "Access-Control-Allow-Credentials" })
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
