import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// SPEC §7 with `log: cluster`: publishes to any instance, and the same snapshot on every instance.
    @Suite(.serialized, .enabled(if: NATSServerProcess.isInstalled, "nats-server is not installed (make test installs it)"))
    struct ClusterPublishTests {
        static func config(nats: String) -> String {
            """
            server: { dashboard: false, heartbeat: 1s }
            cluster:
              nats: { url: \(nats) }
              name: e2e-publish
              lease: 2s
            sources:
              pub: { type: http, path: /publish }
            endpoints:
              - path: /tickets
                from: [pub]
                log: cluster
                replay: 1000
                snapshot: { key: data.id, delete_on: [deleted] }
            """
        }

        static func holdsLease(_ gateway: GatewayProcess) -> Bool {
            ((try? fetch(port: gateway.port, get: "/metrics"))?.body ?? "").contains("gateway_cluster_lease_held{endpoint=\"/tickets\"} 1")
        }

        @Test func aPublishToAnyInstanceReachesEveryInstanceOnceInOrderAndEachServesTheSameSnapshot() throws {
            let nats = try NATSServerProcess()
            defer { nats.stop() }
            let yaml = Self.config(nats: nats.url)
            let gateways = try (0..<2).map { _ in try GatewayProcess(yaml: yaml) }
            defer { for gateway in gateways { gateway.stop() } }
            for gateway in gateways { #expect(ClusterTests.waitUntilReady(gateway), "\(gateway.log)") }
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, !gateways.contains(where: Self.holdsLease) { usleep(100_000) }
            guard let holder = gateways.firstIndex(where: Self.holdsLease) else {
                Issue.record("no instance took the lease")
                return
            }
            // The instance that does not run the source has been told who does only through the engine.
            let other = 1 - holder
            let listeners = try gateways.map { gateway in
                let client = try RawClient(port: gateway.port)
                client.get("/tickets")
                #expect(client.read(until: { $0.events.contains { $0.type == "snapshot-end" } }))
                return client
            }
            for n in 0..<20 {
                let type = n == 7 ? "deleted" : "updated"
                let id = n == 7 ? 3 : n % 5
                let answer = try post(
                    port: gateways[n % 2].port, "/publish", contentType: "application/json",
                    body: #"{"event":"\#(type)","data":{"id":\#(id),"n":\#(n)}}"#)
                #expect(answer.status == 202, "publish \(n) to instance \(n % 2) (holder \(holder)): \(answer.text)")
            }
            for (index, client) in listeners.enumerated() {
                #expect(client.read(until: { $0.events.count >= 21 }), "instance \(index)")
                let live = client.events.drop { $0.type != "snapshot-end" }.dropFirst()
                let numbers = live.compactMap { $0.data.first?.firstMatch(of: /"n":(\d+)/).flatMap { Int($0.1) } }
                #expect(numbers == Array(0..<20), "instance \(index)")
            }
            // An instance started now builds the state from the stream.
            let late = try GatewayProcess(yaml: yaml)
            defer { late.stop() }
            #expect(ClusterTests.waitUntilReady(late), "\(late.log)")
            // A newcomer on any instance gets the same state: ids 0…4 at their last version (3 was deleted, then updated again).
            var states: [[String]] = []
            for gateway in [gateways[holder], gateways[other], late] {
                let client = try RawClient(port: gateway.port)
                client.get("/tickets")
                #expect(client.read(until: { $0.events.contains { $0.type == "snapshot-end" } }))
                states.append(client.events.prefix { $0.type != "snapshot-end" }.map { $0.data.joined() })
            }
            #expect(states[0] == states[1])
            #expect(states[0] == states[2])
            #expect(states[0].count == 5)
            #expect(states[0].contains(#"{"id":3,"n":18}"#))
            #expect(states[0].last == #"{"id":4,"n":19}"#)
        }
    }
}
