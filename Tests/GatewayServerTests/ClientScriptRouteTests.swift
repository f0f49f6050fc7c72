import NIOHTTP1
import Testing

@testable import GatewayServer

/// `GET /_gateway/client.js` and the query resume it relies on (SPEC §6, "one connection per browser").
@Suite struct ClientScriptRouteTests {
    static let ticks = testEndpoint("/ticks")
    static let status = testEndpoint(Router.statusPath)

    func router(dashboard: Bool, cors: [String]? = nil) -> Router {
        var server = ServerSettings()
        server.corsOrigins = cors
        return Router(endpoints: [Self.ticks], statusStream: dashboard ? Self.status : nil, server: server)
    }

    func answer(_ route: Router.Route) -> Response? {
        if case .respond(let response) = route { return response }
        return nil
    }

    @Test(arguments: [true, false])
    func theModuleIsServedAsJavaScriptWhetherOrNotTheDashboardIsOn(dashboard: Bool) throws {
        let response = try #require(answer(router(dashboard: dashboard).route(method: .GET, uri: "/_gateway/client.js", headers: [:])))
        #expect(response.status == .ok)
        #expect(response.headers.contains { $0 == ("Content-Type", "text/javascript; charset=utf-8") })
        #expect(response.headers.contains { $0 == ("Cache-Control", "public, max-age=300") })
        #expect(response.body.contains("export class SharedEventSource extends EventTarget"))
        #expect(!response.headers.contains { $0.0.hasPrefix("Access-Control") }, "no Origin, no CORS headers")
    }

    @Test func aListedOriginGetsTheCORSHeadersAModuleImportNeeds() throws {
        var headers = HTTPHeaders()
        headers.add(name: "Origin", value: "https://app.example")
        let router = router(dashboard: false, cors: ["https://app.example"])
        let response = try #require(answer(router.route(method: .GET, uri: "/_gateway/client.js", headers: headers)))
        #expect(response.headers.contains { $0 == ("Access-Control-Allow-Origin", "https://app.example") })
        #expect(response.headers.contains { $0 == ("Vary", "Origin") }, "a shared cache keeps one copy per origin")
        headers.replaceOrAdd(name: "Origin", value: "https://elsewhere.example")
        let other = try #require(answer(router.route(method: .GET, uri: "/_gateway/client.js", headers: headers)))
        #expect(!other.headers.contains { $0.0 == "Access-Control-Allow-Origin" })
    }

    @Test func otherMethodsThanGetAndHeadAre405() throws {
        let response = try #require(answer(router(dashboard: true).route(method: .POST, uri: "/_gateway/client.js", headers: [:])))
        #expect(response.status == .methodNotAllowed)
    }

    /// A new leader resumes with `?last_event_id=`; the EventSource's own reconnections then also
    /// send the header, with a later id, which must win.
    @Test func theLastEventIDHeaderWinsOverTheQueryParameter() {
        var headers = HTTPHeaders()
        headers.add(name: "Last-Event-ID", value: "7-9")
        guard case .stream(_, _, let id, _, _, _) = router(dashboard: false).route(method: .GET, uri: "/ticks?last_event_id=7-3", headers: headers)
        else {
            Issue.record("expected a stream")
            return
        }
        #expect(id == "7-9")
    }
}
