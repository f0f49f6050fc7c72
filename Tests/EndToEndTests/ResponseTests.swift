import Foundation
import Testing

extension EndToEnd {
    /// Status codes, CORS, health, readiness, metrics and the dashboard, from the wire.
    @Suite struct ResponseTests {
        static let yaml = """
            server:
              max_clients: 2
              retry: 3s
              cors: { origins: ["https://app.example"] }
            sources:
              ticks: { type: generate, interval: 100ms, event: tick, data: 'n={{seq}}' }
            endpoints:
              - { path: /ticks, from: [ticks] }
              - { path: /private, from: [ticks], auth: { tokens: ["s3cret"] } }
            """

        @Test func authFailuresAre401WithoutATokenAnd403WithAWrongOne() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml)
            defer { gateway.stop() }
            #expect(try fetch(port: gateway.port, get: "/private").status == 401)
            #expect(try fetch(port: gateway.port, get: "/private", headers: ["Authorization: Bearer wrong"]).status == 403)
            #expect(try fetch(port: gateway.port, get: "/private?access_token=wrong").status == 403)
            let byHeader = try RawClient(port: gateway.port)
            byHeader.get("/private", headers: ["Authorization: Bearer s3cret"])
            #expect(byHeader.read(until: { $0.body.contains(":ok") }, timeout: 5) && byHeader.status == 200)
            let byQuery = try RawClient(port: gateway.port)
            byQuery.get("/private?access_token=s3cret")
            #expect(byQuery.read(until: { $0.body.contains(":ok") }, timeout: 5) && byQuery.status == 200)
        }

        @Test func unknownPathsAre404OtherMethods405AndGarbage400() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml)
            defer { gateway.stop() }
            #expect(try fetch(port: gateway.port, get: "/nowhere").status == 404)
            let post = try fetch(port: gateway.port, "POST /ticks HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD, OPTIONS")
            #expect(try fetch(port: gateway.port, "\u{1}\u{7}garbage\r\n\r\n").status == 400)
            let huge = String(repeating: "a", count: 100_000)
            #expect(try fetch(port: gateway.port, "GET /ticks HTTP/1.1\r\nX-Big: \(huge)\r\n\r\n").status == 431)
            // The gateway is still serving.
            #expect(try fetch(port: gateway.port, get: "/healthz").status == 200)
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains("gateway_client_errors_total{reason=\"bad_request\"} 1"))
        }

        @Test func overMaxClientsANewStreamGets503WithRetryAfter() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml)
            defer { gateway.stop() }
            let streams = try (0..<2).map { _ in try RawClient(port: gateway.port) }
            for stream in streams {
                stream.get("/ticks")
                #expect(stream.read(until: { $0.body.contains(":ok") }, timeout: 5))
            }
            let refused = try fetch(port: gateway.port, get: "/ticks")
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "3")
        }

        @Test func aCORSPreflightFromAnAllowedOriginIsAnswered() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml)
            defer { gateway.stop() }
            let preflight = try fetch(
                port: gateway.port,
                "OPTIONS /ticks HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: last-event-id\r\nConnection: close\r\n\r\n"
            )
            #expect(preflight.status == 204)
            #expect(preflight.headers["access-control-allow-origin"] == "https://app.example")
            #expect(preflight.headers["access-control-allow-headers"] == "last-event-id")
            let stream = try RawClient(port: gateway.port)
            stream.get("/ticks", headers: ["Origin: https://app.example"])
            #expect(stream.read(until: { $0.hasHead }, timeout: 5))
            #expect(stream.headers["access-control-allow-origin"] == "https://app.example")
            let other = try fetch(port: gateway.port, get: "/healthz", headers: ["Origin: https://evil.example"])
            #expect(other.headers["access-control-allow-origin"] == nil)
        }

        @Test func healthReadinessMetricsAndTheDashboardAreServed() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml)
            defer { gateway.stop() }
            let health = try fetch(port: gateway.port, get: "/healthz")
            #expect(health.status == 200 && health.body == "ok\n")
            // A source is ready once it has started; on a busy machine that may take a moment.
            var ready = try fetch(port: gateway.port, get: "/readyz")
            let deadline = Date().addingTimeInterval(10)
            while ready.status != 200 && Date() < deadline {
                #expect(ready.status == 503 && ready.body == "not ready: ticks\n")
                Thread.sleep(forTimeInterval: 0.05)
                ready = try fetch(port: gateway.port, get: "/readyz")
            }
            #expect(ready.status == 200 && ready.body == "ready\n")
            let stream = try RawClient(port: gateway.port)
            stream.get("/ticks")
            #expect(stream.read(until: { $0.events.count >= 2 }, timeout: 5))
            let metrics = try fetch(port: gateway.port, get: "/metrics")
            #expect(metrics.status == 200)
            for series in [
                "gateway_clients{endpoint=\"/ticks\"} 1", "gateway_source_events_total{source=\"ticks\"}",
                "gateway_endpoint_events_total{endpoint=\"/ticks\"}", "gateway_dropped_events_total{source=\"ticks\",reason=\"too_large\"} 0",
                "gateway_disconnects_total{endpoint=\"/ticks\",reason=\"behind\"} 0",
                "gateway_disconnects_total{endpoint=\"/ticks\",reason=\"stalled\"} 0",
                "gateway_replay_total{endpoint=\"/ticks\",result=\"too_old\"} 0",
                "gateway_upstream_reconnects_total{source=\"ticks\"} 0", "gateway_replay_total{endpoint=\"/ticks\",result=\"resumed\"} 0",
            ] {
                #expect(metrics.body.contains(series), "missing \(series)")
            }
            let page = try fetch(port: gateway.port, get: "/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.body.contains("new EventSource"))
            #expect(page.body.contains("/_gateway/status"))
            #expect(!page.body.contains("http://") && !page.body.contains("https://"), "the page loads nothing from elsewhere")
        }

        @Test func theStatusStreamGivesTheDashboardEndpointsClientsRatesAndRecentEvents() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml)
            defer { gateway.stop() }
            let viewer = try RawClient(port: gateway.port)
            viewer.get("/ticks")
            let status = try RawClient(port: gateway.port)
            status.get("/_gateway/status")
            #expect(status.read(until: { $0.events.count >= 2 }, timeout: 10))
            let latest = try #require(status.events.last)
            #expect(latest.type == "status")
            let json = try JSONSerialization.jsonObject(with: Data(latest.data.joined(separator: "\n").utf8)) as? [String: Any]
            let endpoints = try #require(json?["endpoints"] as? [[String: Any]])
            let ticks = try #require(endpoints.first { $0["path"] as? String == "/ticks" })
            #expect(ticks["clients"] as? Int == 1)
            #expect((ticks["rate"] as? Double ?? 0) > 0)
            let recent = try #require(ticks["recent"] as? [[String: Any]])
            #expect(!recent.isEmpty && (recent[0]["data"] as? String)?.hasPrefix("n=") == true)
            let sources = try #require(json?["sources"] as? [[String: Any]])
            #expect(sources.first?["name"] as? String == "ticks" && sources.first?["ready"] as? Bool == true)
        }
    }
}
