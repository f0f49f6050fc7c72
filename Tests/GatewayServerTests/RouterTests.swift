import GatewayJWT
import GatewayPlugin
import Logging
import MetricsTestKit
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import GatewayServer

/// An endpoint at `path` (no pipeline unless `steps`), for routing, connection and timer tests.
func testEndpoint(
    _ path: String, tokens: [String]? = nil, jwt: JWTVerifier? = nil, steps: [Pipeline.Step] = [], channel: EventField? = nil,
    loop: EmbeddedEventLoop = EmbeddedEventLoop()
) -> EndpointStream {
    let metrics = GatewayMetrics(factory: TestMetrics()).endpoint(path)
    let logger = Logger(label: "test")
    let stamper = IDStamper(mode: .sequence, epoch: 7)
    let log: any EventLog =
        channel == nil
        ? MemoryLog(replay: 10, stamper: stamper) : Channels(replay: 10, maxChannels: 100, replayBytes: nil, stamper: stamper)
    let fanOut = LoopFanOut(
        loop: loop, log: log, endpoint: path, heartbeat: .seconds(60), stallTimeout: .seconds(30), pullBytes: 1 << 16,
        metrics: metrics, logger: logger)
    return EndpointStream(
        path: path, pipeline: Pipeline(steps: steps), stamper: stamper, log: log, channelKey: channel, executor: loop, tokens: tokens, jwt: jwt,
        fanOuts: [fanOut],
        metrics: metrics, logger: logger)
}

@Suite struct RouterTests {
    static let a = testEndpoint("/a")
    static let secret = testEndpoint("/secret", tokens: ["tok"])
    static let status = testEndpoint(Router.statusPath)

    func router(dashboard: Bool = true, metrics: Bool = true, cors: [String]? = nil, endpoints: [EndpointStream]? = nil) -> Router {
        var server = ServerSettings()
        server.metrics = metrics
        server.corsOrigins = cors
        return Router(endpoints: endpoints ?? [Self.a, Self.secret], statusStream: dashboard ? Self.status : nil, server: server)
    }

    func status(_ route: Router.Route) -> Int? {
        if case .respond(let response) = route { return Int(response.status.code) }
        if case .refuse(let refusal, _) = route { return Int(refusal.status.code) }
        return nil
    }

    @Test func anEndpointPathOpensItsStreamWithResumeIDAndTypes() {
        var headers = HTTPHeaders()
        headers.add(name: "Last-Event-ID", value: "1-5")
        guard case .stream(let endpoint, _, let id, let types, _, _) = router().route(method: .GET, uri: "/a?event=x,y", headers: headers) else {
            Issue.record("expected a stream")
            return
        }
        #expect(endpoint === Self.a)
        #expect(id == "1-5")
        #expect(types == ["x", "y"])
    }

    @Test func aChannelEndpointsPathNamesTheChannelPercentDecodedInItsOneSegment() {
        let orders = testEndpoint("/orders/{customer}", channel: .dataPath(JSONPath("customer")!))
        let router = router(endpoints: [orders, Self.a])
        func channels(_ uri: String) -> [String]? {
            guard case .stream(let endpoint, let channels, _, _, _, _) = router.route(method: .GET, uri: uri, headers: [:]) else { return nil }
            #expect(endpoint === orders)
            return channels
        }
        #expect(channels("/orders/42") == ["42"])
        #expect(channels("/orders/a%2Fb%20c?event=x") == ["a/b c"], "an encoded slash stays in the segment")
        #expect(channels("/orders/caf%C3%A9") == ["café"])
        #expect(channels("/orders/*?channels=42,43&channels=44,42") == ["42", "43", "44"])
        #expect(channels("/orders/") == nil)
        #expect(channels("/orders/42/more") == nil)
        #expect(channels("/orders") == nil)
    }

    @Test(arguments: [
        ("/orders/*", "'*' reads the channels named by the 'channels' query parameter (channels=a,b)"),
        ("/orders/*?channels=a,,b", "'channels' holds an empty channel name"),
        ("/orders/*?channels=" + (1...65).map(String.init).joined(separator: ","), "'channels' names 65 channels; one stream reads at most 64"),
    ])
    func aBadChannelsListIsAnswered400(uri: String, message: String) {
        let orders = testEndpoint("/orders/{customer}", channel: .id)
        guard case .respond(let response) = router(endpoints: [orders]).route(method: .GET, uri: uri, headers: [:]) else {
            Issue.record("expected a response")
            return
        }
        #expect(response.status == .badRequest)
        #expect(response.body.contains(message))
    }

    @Test func aPathTemplateHasOneWholeSegmentBetweenFixedText() {
        #expect(PathTemplate("/orders/{customer}") == PathTemplate("/orders/{customer}"))
        #expect(PathTemplate("/orders/{customer}")?.prefix == "/orders/")
        #expect(PathTemplate("/rooms/{room}/events")?.suffix == "/events")
        #expect(PathTemplate("/rooms/{room}/events")?.match(rawPath: "/rooms/7/events") == .channel("7"))
        #expect(PathTemplate("/rooms/{room}/events")?.match(rawPath: "/rooms//events") == nil)
        for bad in ["/orders", "/orders/x{customer}", "/orders/{}", "/{a}/{b}", "/orders/{customer}x"] {
            #expect(PathTemplate(bad) == nil, "\(bad)")
        }
    }

    @Test(arguments: ["lastEventId", "last_event_id", "evs_last_event_id"])
    func theResumeIDMayComeFromTheQuery(_ name: String) {
        guard case .stream(_, _, let id, _, _, _) = router().route(method: .GET, uri: "/a?\(name)=1-9", headers: [:]) else {
            Issue.record("expected a stream")
            return
        }
        #expect(id == "1-9")
    }

    @Test func unknownPathsAre404AndOtherMethods405() {
        #expect(status(router().route(method: .GET, uri: "/nope", headers: [:])) == 404)
        #expect(status(router().route(method: .POST, uri: "/a", headers: [:])) == 405)
        #expect(status(router().route(method: .DELETE, uri: "/healthz", headers: [:])) == 405)
        #expect(status(router().route(method: .GET, uri: "*", headers: [:])) == 400)
    }

    @Test func authFailuresAre401WithoutATokenAnd403WithAWrongOne() {
        #expect(status(router().route(method: .GET, uri: "/secret", headers: [:])) == 401)
        #expect(status(router().route(method: .GET, uri: "/secret?access_token=bad", headers: [:])) == 403)
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer tok")
        guard case .stream = router().route(method: .GET, uri: "/secret", headers: headers) else {
            Issue.record("expected a stream")
            return
        }
    }

    @Test func builtInPathsFollowTheServerSwitches() {
        #expect(status(router().route(method: .GET, uri: "/healthz", headers: [:])) == 200)
        #expect(status(router().route(method: .GET, uri: "/", headers: [:])) == 200)
        #expect(status(router(dashboard: false).route(method: .GET, uri: "/", headers: [:])) == 404)
        #expect(status(router(dashboard: false).route(method: .GET, uri: Router.statusPath, headers: [:])) == 404)
        #expect(status(router(metrics: false).route(method: .GET, uri: "/metrics", headers: [:])) == 404)
        guard case .metrics = router().route(method: .GET, uri: "/metrics", headers: [:]) else {
            Issue.record("expected metrics")
            return
        }
    }

    @Test func anEndpointMayClaimTheRootOverTheDashboard() {
        let root = testEndpoint("/")
        let router = router(endpoints: [root])
        guard case .stream(let endpoint, _, _, _, _, _) = router.route(method: .GET, uri: "/", headers: [:]) else {
            Issue.record("expected the endpoint at /")
            return
        }
        #expect(endpoint === root)
    }

    @Test func aPreflightFromAnAllowedOriginGetsTheCORSHeaders() throws {
        var headers = HTTPHeaders()
        headers.add(name: "Origin", value: "https://app.example")
        headers.add(name: "Access-Control-Request-Method", value: "GET")
        headers.add(name: "Access-Control-Request-Headers", value: "last-event-id")
        guard case .respond(let response) = router(cors: ["https://app.example"]).route(method: .OPTIONS, uri: "/a", headers: headers) else {
            Issue.record("expected a response")
            return
        }
        #expect(response.status == .noContent)
        let names = Dictionary(response.headers, uniquingKeysWith: { a, _ in a })
        #expect(names["Access-Control-Allow-Origin"] == "https://app.example")
        #expect(names["Access-Control-Allow-Methods"]?.contains("GET") == true)
        #expect(names["Access-Control-Allow-Headers"] == "last-event-id")
    }

    @Test func anOriginNotAllowedGetsNoCORSHeaders() {
        var headers = HTTPHeaders()
        headers.add(name: "Origin", value: "https://evil.example")
        #expect(router(cors: ["https://app.example"]).corsHeaders(origin: "https://evil.example").isEmpty)
        #expect(router(cors: ["*"]).corsHeaders(origin: "https://evil.example").first?.1 == "*")
        #expect(router(cors: nil).corsHeaders(origin: "https://app.example").isEmpty)
    }
}

@Suite struct ConnectionStateMachineTests {
    @Test func answersAfterTheRequestEndsAndKeepsTheConnectionForTheNext() {
        var machine = ConnectionStateMachine()
        #expect(machine.head(keepAlive: true, isHead: false) == .none)
        #expect(machine.body(count: 10) == .none)
        #expect(machine.end() == .answer(keepAlive: true, isHead: false))
        #expect(machine.state == .idle)
    }

    @Test func closesAfterAnswerWithoutKeepAlive() {
        var machine = ConnectionStateMachine()
        _ = machine.head(keepAlive: false, isHead: true)
        #expect(machine.end() == .answer(keepAlive: false, isHead: true))
        #expect(machine.ignoresInput)
    }

    @Test func aStreamingConnectionIgnoresWhateverTheClientSends() {
        var machine = ConnectionStateMachine()
        _ = machine.head(keepAlive: true, isHead: false)
        _ = machine.end()
        machine.startedStream()
        #expect(machine.ignoresInput)
        #expect(machine.head(keepAlive: true, isHead: false) == .ignore)
        #expect(machine.malformed(headTooLarge: false) == .ignore)
    }

    @Test func aMalformedRequestIsRejectedOnce() {
        var machine = ConnectionStateMachine()
        #expect(machine.malformed(headTooLarge: true) == .rejectMalformed(headTooLarge: true))
        #expect(machine.malformed(headTooLarge: false) == .close)
    }

    @Test func aTimeoutIs408WhileARequestIsOwedAndAQuietCloseWhenIdleBetweenRequests() {
        var fresh = ConnectionStateMachine()
        #expect(fresh.timedOut() == .rejectTimeout)
        #expect(fresh.timedOut() == .ignore)
        var midRequest = ConnectionStateMachine()
        _ = midRequest.head(keepAlive: true, isHead: false)
        #expect(midRequest.timedOut() == .rejectTimeout)
        var idle = ConnectionStateMachine()
        _ = idle.head(keepAlive: true, isHead: false)
        _ = idle.end()
        #expect(idle.timedOut() == .close)
        var streaming = ConnectionStateMachine()
        _ = streaming.head(keepAlive: true, isHead: false)
        _ = streaming.end()
        streaming.startedStream()
        #expect(streaming.timedOut() == .ignore)
    }

    @Test func anOversizedBodyIsRejected() {
        var machine = ConnectionStateMachine()
        _ = machine.head(keepAlive: true, isHead: false)
        #expect(machine.body(count: ConnectionStateMachine.maxBodyBytes + 1) == .rejectMalformed(headTooLarge: false))
    }
}
