import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// SPEC §7 "Snapshot": a client without `Last-Event-ID` first gets the latest event per key.
    @Suite struct SnapshotTests {
        static func config(maxKeys: Int = 1000) -> String {
            """
            sources:
              tickets: { type: http, path: /publish }
            endpoints:
              - path: /tickets
                from: [tickets]
                replay: 10000
                snapshot: { key: data.id, delete_on: [deleted], max_keys: \(maxKeys) }
            """
        }

        /// One ticket event's JSON body.
        static func ticket(_ type: String, _ id: Int, _ version: Int) -> String {
            #"{"event":"\#(type)","data":{"id":\#(id),"v":\#(version)}}"#
        }

        static func publish(_ gateway: GatewayProcess, _ body: String) throws {
            try publish(port: gateway.port, body)
        }

        static func publish(port: Int, _ body: String) throws {
            let answer = try post(port: port, "/publish", contentType: "application/json", body: body)
            #expect(answer.status == 202, "\(answer.text)")
        }

        /// The number N of an id `EPOCH-N`.
        static func number(_ id: String?) -> Int { Int(id?.split(separator: "-").last ?? "") ?? -1 }

        /// `(id, v)` of a ticket event's data.
        static func fields(_ event: SSEEvent) -> (id: Int, v: Int)? {
            guard let match = event.data.first?.firstMatch(of: /"id":(\d+),"v":(\d+)/), let id = Int(match.1), let v = Int(match.2) else {
                return nil
            }
            return (id, v)
        }

        @Test func aClientMidStreamGetsTheStateThenTheEndThenLiveWithNoGapOrDuplicate() throws {
            let gateway = try GatewayProcess(yaml: Self.config())
            defer { gateway.stop() }
            // Posted one at a time, so the k-th post is the endpoint's event k.
            let log = Posted()
            let port = gateway.port
            @Sendable func publish(_ type: String, _ id: Int, _ v: Int) throws {
                try Self.publish(port: port, Self.ticket(type, id, v))
                log.append((type, id, v))
            }
            for id in 1...5 { try publish("created", id, 1) }
            try publish("updated", 2, 2)
            try publish("deleted", 3, 2)

            // Events keep flowing while the client connects.
            let flowing = Thread {
                for n in 0..<150 { try? publish(n % 7 == 6 ? "deleted" : "updated", 10 + n % 6, 100 + n) }
            }
            flowing.start()
            usleep(20_000)
            let client = try RawClient(port: gateway.port)
            client.get("/tickets")
            #expect(client.read(until: { $0.events.contains { $0.type == "snapshot-end" } }))
            while !flowing.isFinished { usleep(10_000) }
            let posted = log.all
            #expect(posted.count == 157)
            #expect(client.read(until: { Self.number($0.events.last?.id) >= posted.count }))

            let events = client.events
            guard let endIndex = events.firstIndex(where: { $0.type == "snapshot-end" }) else {
                Issue.record("no snapshot-end")
                return
            }
            let seam = Self.number(events[endIndex].id)
            #expect(seam >= 7)
            // The state: every key's latest event among the first `seam` posts, deleted keys left out, in id order.
            var latest: [Int: (n: Int, v: Int)] = [:]
            for (index, event) in posted.prefix(seam).enumerated() {
                if event.type == "deleted" { latest[event.id] = nil } else { latest[event.id] = (index + 1, event.v) }
            }
            let expected = latest.sorted { $0.value.n < $1.value.n }.map { "\($0.value.n) \($0.key) \($0.value.v)" }
            let state = events[..<endIndex].map { "\(Self.number($0.id)) \(Self.fields($0)?.id ?? -1) \(Self.fields($0)?.v ?? -1)" }
            #expect(state == expected)
            #expect(!state.contains { $0.hasSuffix(" 3 2") })
            #expect(events[endIndex].data == [#"{"events":\#(expected.count)}"#])
            // Then live: every event after the seam, once, in order.
            let live = events[(endIndex + 1)...].map { Self.number($0.id) }
            #expect(live == Array((seam + 1)...posted.count))
        }

        /// What the test posted, in order, from any thread.
        final class Posted: @unchecked Sendable {
            private let lock = NSLock()
            private var items: [(type: String, id: Int, v: Int)] = []
            func append(_ item: (type: String, id: Int, v: Int)) { lock.withLock { items.append(item) } }
            var all: [(type: String, id: Int, v: Int)] { lock.withLock { items } }
        }

        @Test func aClientWithLastEventIDGetsTheUsualReplayAndNoSnapshot() throws {
            let gateway = try GatewayProcess(yaml: Self.config())
            defer { gateway.stop() }
            for id in 1...4 { try Self.publish(gateway, Self.ticket("created", id, 1)) }
            let first = try RawClient(port: gateway.port)
            first.get("/tickets")
            #expect(first.read(until: { $0.events.count >= 5 }))
            let secondID = first.events[1].id ?? ""
            let resumed = try RawClient(port: gateway.port)
            resumed.get("/tickets", headers: ["Last-Event-ID: \(secondID)"])
            #expect(resumed.read(until: { $0.events.count >= 2 }))
            #expect(resumed.events.map { Self.number($0.id) } == [3, 4])
            #expect(!resumed.events.contains { $0.type == "snapshot-end" })
        }

        @Test func pastMaxKeysTheLeastRecentlyUpdatedKeyIsDroppedAndCounted() throws {
            let gateway = try GatewayProcess(yaml: Self.config(maxKeys: 3) + "\nserver: { metrics: true }\n")
            defer { gateway.stop() }
            try Self.publish(gateway, Self.ticket("created", 1, 1))
            try Self.publish(gateway, Self.ticket("created", 2, 1))
            try Self.publish(gateway, Self.ticket("created", 3, 1))
            try Self.publish(gateway, Self.ticket("updated", 1, 2))  // 2 is now the least recently updated
            try Self.publish(gateway, Self.ticket("created", 4, 1))
            // `202` says the events are the source's; the endpoint publishes them a moment later.
            let deadline = Date().addingTimeInterval(TestTiming.seconds(10))
            while Date() < deadline,
                (try? fetch(port: gateway.port, get: "/metrics").body)?.contains(#"gateway_endpoint_events_total{endpoint="/tickets"} 5"#) != true
            {
                Thread.sleep(forTimeInterval: 0.02)
            }
            let client = try RawClient(port: gateway.port)
            client.get("/tickets")
            #expect(client.read(until: { $0.events.contains { $0.type == "snapshot-end" } }))
            let state = client.events.prefix { $0.type != "snapshot-end" }.compactMap(Self.fields)
            #expect(state.map(\.id) == [3, 1, 4])
            #expect(state.map(\.v) == [1, 2, 1])
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains(#"gateway_snapshot_evictions_total{endpoint="/tickets"} 1"#))
            #expect(metrics.contains(/gateway_snapshot_keys\{endpoint="\/tickets"\} 3(\.0)?\n/))
        }
    }
}
