import Foundation
import NATS
import TestSupport
import Testing

extension EndToEnd {
    /// SPEC §5's `nats` source on the wire: a `gateway run` reads what another NATS client
    /// publishes, from a real `nats-server` the test starts on a free port and stops by pid.
    @Suite(.enabled(if: NATSServerProcess.isInstalled, "nats-server is not installed (make test installs it)"))
    struct NATSSourceTests {
        @Test func aClientReadsWhatANATSClientPublishedOnASubjectAndInAStream() async throws {
            let server = try NATSServerProcess()
            defer { server.stop() }
            let nats = try NATSConnection(options: NATSOptions(urls: [server.url]))
            // The stream keeps what is published on orders.>: two messages before the gateway starts.
            _ = try await nats.ensureStream(JetStreamStreamConfig(name: "ORDERS", subjects: ["orders.>"]))
            for number in 1...2 {
                let result = await withCheckedContinuation { continuation in
                    nats.publish(
                        JetStreamPublish(
                            subject: "orders.eu", headers: [NATSHeader("Order-Id", "o-\(number)")], payload: Array("{\"order\":\(number)}".utf8))
                    ) { continuation.resume(returning: $0) }
                }
                _ = try result.get()
            }
            // `live` reads core NATS on its own URL; `history` the stream, from its first message,
            // on cluster.nats.
            let gateway = try GatewayProcess(
                yaml: """
                    server: { dashboard: false, heartbeat: 1s }
                    cluster:
                      nats: { url: '\(server.url)' }
                    sources:
                      live: { type: nats, subject: 'orders.>', url: '\(server.url)' }
                      history: { type: nats, stream: ORDERS, deliver: all, event: order, id_header: Order-Id }
                    endpoints:
                      - { path: /live, from: [live], ids: source }
                      - { path: /history, from: [history], ids: source }
                    """)
            defer { gateway.stop() }
            // Ready (`/readyz` 200) once both sources are subscribed.
            let deadline = Date().addingTimeInterval(30)
            var ready = false
            while !ready && Date() < deadline {
                ready = (try? fetch(port: gateway.port, get: "/readyz"))?.text.hasPrefix("HTTP/1.1 200") == true
                if !ready { usleep(50_000) }
            }
            #expect(ready, "\(gateway.log)")
            // `history` has read the two messages held.
            var held = false
            while !held && Date() < deadline {
                held = ((try? fetch(port: gateway.port, get: "/metrics"))?.body ?? "").contains("gateway_source_events_total{source=\"history\"} 2")
                if !held { usleep(50_000) }
            }
            #expect(held, "\(gateway.log)")
            let live = try RawClient(port: gateway.port)
            live.get("/live")
            // Resuming after the first message held: the second, then live.
            let history = try RawClient(port: gateway.port)
            history.get("/history", headers: ["Last-Event-ID: o-1"])
            #expect(live.read(until: { $0.body.contains(":ok") }))
            #expect(history.read(until: { $0.events.count >= 1 }), "\(history.text)\n\(gateway.log)")

            try nats.publish(
                subject: "orders.us",
                headers: [NATSHeader("Gateway-Event", "created"), NATSHeader("Gateway-Id", "g-3"), NATSHeader("Order-Id", "o-3")],
                payload: Array("{\"order\":3}".utf8))
            #expect(live.read(until: { $0.events.count >= 1 }), "\(live.text)\n\(gateway.log)")
            #expect(history.read(until: { $0.events.count >= 2 }), "\(history.text)\n\(gateway.log)")
            #expect(live.body.contains("id: g-3\nevent: created\ndata: {\"order\":3}\n\n"), "\(live.text)")
            #expect(history.events.map(\.id) == ["o-2", "o-3"])
            #expect(history.events.map(\.type) == ["order", "order"])
            #expect(history.events.map(\.data) == [["{\"order\":2}"], ["{\"order\":3}"]])
            await nats.close()
            #expect(gateway.terminate().status == 0)
        }
    }
}
