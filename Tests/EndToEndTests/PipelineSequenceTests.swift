import Foundation
import Testing

extension EndToEnd {
    /// filter → rename → dedupe on a real endpoint, from scripted sources.
    @Suite struct PipelineSequenceTests {
        @Test func filterRenameDedupeGiveExactlyTheExpectedSequence() throws {
            // Two sources send the same eight events (ids 1…8); the pipeline keeps n >= 3, renames
            // tick to tock and lets each id through once. Each source's own stream is ordered, so the
            // first copy of id k always arrives before the first copy of id k+1.
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      a: { type: generate, interval: 30ms, count: 8, event: tick, id: '{{seq}}', data: 'n={{seq}}' }
                      b: { type: generate, interval: 30ms, count: 8, event: tick, id: '{{seq}}', data: 'n={{seq}}' }
                    endpoints:
                      - path: /out
                        from: [a, b]
                        replay: 100
                        pipeline:
                          - filter: { id: { gte: 3 } }
                          - rename: { tick: tock }
                          - dedupe: { by: id }
                    """)
            defer { gateway.stop() }
            // Wait until both sources have finished, then read everything held: an id of an
            // earlier run ("0-0") gets every event the endpoint holds.
            let deadline = ContinuousClock.now + .seconds(10)
            var published = 0
            while ContinuousClock.now < deadline {
                let metrics = try fetch(port: gateway.port, get: "/metrics").body
                let line = metrics.split(separator: "\n").first { $0.hasPrefix("gateway_source_events_total{source=\"b\"}") }
                let aLine = metrics.split(separator: "\n").first { $0.hasPrefix("gateway_source_events_total{source=\"a\"}") }
                let b = line?.split(separator: " ").last.flatMap { Int($0) } ?? 0
                let a = aLine?.split(separator: " ").last.flatMap { Int($0) } ?? 0
                published = a + b
                if published == 16 { break }
                usleep(50_000)
            }
            #expect(published == 16)
            let client = try RawClient(port: gateway.port)
            client.get("/out", headers: ["Last-Event-ID: 0-0"])
            #expect(client.read(until: { $0.events.count >= 7 }, timeout: 5))
            // Nothing more arrives: the rest was filtered or deduplicated.
            _ = client.read(until: { $0.events.count > 7 }, timeout: 0.5)
            #expect(client.events.first?.type == "reset", "an id of an earlier run is signalled")
            let events = Array(client.events.dropFirst())
            #expect(events.map(\.sequence) == [3, 4, 5, 6, 7, 8])
            #expect(events.allSatisfy { $0.type == "tock" })
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains("gateway_dropped_events_total{endpoint=\"/out\",reason=\"filter\"} 4"))
            #expect(metrics.contains("gateway_dropped_events_total{endpoint=\"/out\",reason=\"dedupe\"} 6"))
        }
    }
}
