import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// SPEC §8 "Reload": SIGHUP re-reads the file; clients of what did not go stay connected.
    @Suite struct ReloadTests {
        /// Events `{"n":N,"k":"a"|"b"}` every 5 ms; `/f` keeps those of kind `kind`; `extra` adds endpoints.
        static func config(kind: String, extra: String) -> String {
            """
            server: { dashboard: false, heartbeat: 1s }
            sources:
              ticks: { type: generate, interval: 5ms, data: '{"n":{{seq}},"k":"{{pick a b}}"}' }
            endpoints:
              - path: /f
                from: [ticks]
                pipeline:
                  - filter: { data.k: \(kind) }
            \(extra)
            """
        }

        static func write(_ yaml: String, to gateway: GatewayProcess) throws {
            try yaml.write(to: gateway.folder.appendingPathComponent("gateway.yaml"), atomically: true, encoding: .utf8)
        }

        /// Sends SIGHUP and waits until the log has one more line containing `marker`.
        static func reload(_ gateway: GatewayProcess, until marker: String) -> Bool {
            let before = gateway.log.components(separatedBy: marker).count
            kill(gateway.process.processIdentifier, SIGHUP)
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if gateway.log.components(separatedBy: marker).count > before { return true }
                usleep(20_000)
            }
            return false
        }

        /// `(n, k)` of each event a client got.
        static func ticks(_ client: RawClient) -> [(n: Int, k: String)] {
            client.events.compactMap { event in
                guard let match = event.data.first?.firstMatch(of: /"n":(\d+),"k":"(\w)"/), let n = Int(match.1) else { return nil }
                return (n, String(match.2))
            }
        }

        @Test func aHundredClientsStayThroughAReloadThatChangesAFilterAddsAnEndpointAndRemovesAnother() throws {
            let gone = "  - { path: /gone, from: [ticks] }"
            let gateway = try GatewayProcess(yaml: Self.config(kind: "a", extra: gone))
            defer { gateway.stop() }
            let clients = try (0..<100).map { _ in try RawClient(port: gateway.port) }
            for client in clients { client.get("/f") }
            let leaving = try (0..<5).map { _ in try RawClient(port: gateway.port) }
            for client in leaving { client.get("/gone") }
            ChannelTests.readAll(clients + leaving, timeout: 10) { $0.events.count >= 5 }

            try Self.write(Self.config(kind: "b", extra: "  - { path: /new, from: [ticks] }"), to: gateway)
            #expect(Self.reload(gateway, until: "configuration reloaded"), "\(gateway.log)")
            #expect(gateway.log.contains("pipelines_swapped=/f"))
            // Some events after the reload, on every client.
            let counts = clients.map { Self.ticks($0).filter { $0.k == "b" }.count }
            ChannelTests.readAll(clients, timeout: 10) { client in
                Self.ticks(client).filter { $0.k == "b" }.count >= counts[0] + 5
            }
            ChannelTests.readAll(leaving, timeout: 10) { $0.bodyIsComplete }

            for (index, client) in clients.enumerated() {
                #expect(!client.closedByPeer, "client \(index) was disconnected")
                let ticks = Self.ticks(client)
                // The old filter, then the new one, switched between two events: a's, then only b's.
                guard let switchAt = ticks.firstIndex(where: { $0.k == "b" }) else {
                    Issue.record("client \(index) saw no event of the new filter")
                    continue
                }
                #expect(switchAt > 0, "client \(index) saw no event of the old filter")
                #expect(ticks[switchAt...].allSatisfy { $0.k == "b" }, "client \(index): an event of the old filter after the switch")
                #expect(ticks.map(\.n) == ticks.map(\.n).sorted(), "client \(index): out of order")
                // The endpoint's ids go on from where they were: no gap, no restart.
                let ids = client.events.compactMap { $0.id.flatMap { Int($0.split(separator: "-").last ?? "") } }
                #expect(ids == Array((ids.first ?? 0)..<((ids.first ?? 0) + ids.count)), "client \(index): ids not contiguous")
            }
            for client in leaving { #expect(client.bodyIsComplete, "a client of the removed endpoint was not ended cleanly") }
            #expect(try fetch(port: gateway.port, get: "/gone").status == 404)
            let added = try RawClient(port: gateway.port)
            added.get("/new")
            #expect(added.read(until: { $0.events.count >= 3 }), "the new endpoint does not stream")
        }

        @Test func aSourceWithNewOptionsRestartsAndANewSourceFeedsAnEndpointThatStays() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    server: { dashboard: false }
                    sources:
                      ticks: { type: generate, interval: 10ms, data: 'v1-{{seq}}' }
                      other: { type: generate, interval: 1s }
                    endpoints:
                      - { path: /t, from: [ticks] }
                      - { path: /o, from: [other] }
                    """)
            defer { gateway.stop() }
            let client = try RawClient(port: gateway.port)
            client.get("/t")
            #expect(client.read(until: { $0.events.count >= 3 }))
            try Self.write(
                """
                server: { dashboard: false }
                sources:
                  ticks: { type: generate, interval: 10ms, data: 'v2-{{seq}}' }
                  pub: { type: http, path: /publish }
                endpoints:
                  - { path: /t, from: [ticks, pub] }
                """, to: gateway)
            #expect(Self.reload(gateway, until: "configuration reloaded"), "\(gateway.log)")
            let log = gateway.log
            #expect(log.contains("sources_started=ticks,pub"), "\(log)")
            #expect(log.contains("sources_stopped=ticks,other"), "\(log)")
            #expect(log.contains("endpoints_removed=/o"), "\(log)")
            #expect(client.read(until: { $0.events.contains { $0.data.first?.hasPrefix("v2-") == true } }))
            let answer = try post(port: gateway.port, "/publish", contentType: "application/json", body: #"{"data":"posted"}"#)
            #expect(answer.status == 202)
            #expect(client.read(until: { $0.events.contains { $0.data == ["posted"] } }))
            #expect(!client.closedByPeer)
            // Once the new events come, no event of the old source's options.
            let data = client.events.compactMap(\.data.first).filter { $0.hasPrefix("v") }
            let firstNew = data.firstIndex { $0.hasPrefix("v2-") } ?? data.count
            #expect(data[firstNew...].allSatisfy { $0.hasPrefix("v2-") })
        }

        @Test func anInvalidReloadKeepsEverythingRunningAndLogsEachProblemWithItsPosition() throws {
            let gateway = try GatewayProcess(yaml: Self.config(kind: "a", extra: ""))
            defer { gateway.stop() }
            let client = try RawClient(port: gateway.port)
            client.get("/f")
            #expect(client.read(until: { $0.events.count >= 3 }))

            try Self.write(
                """
                sources:
                  ticks: { type: generate, interval: fast }
                endpoints:
                  - { path: /f, from: [tickz] }
                """, to: gateway)
            #expect(Self.reload(gateway, until: "configuration reload refused"), "\(gateway.log)")
            let log = gateway.log
            #expect(log.contains("gateway.yaml:2:38: 'interval'"), "\(log)")
            #expect(log.contains("gateway.yaml:4:24: 'from' names unknown source 'tickz'"), "\(log)")
            let before = client.events.count
            #expect(client.read(until: { $0.events.count >= before + 5 }), "the stream stopped")
            #expect(!client.closedByPeer)
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains(#"gateway_config_reloads_total{result="invalid"} 1"#))
            #expect(metrics.contains(#"gateway_config_reloads_total{result="ok"} 0"#))

            // The same file fixed: applied, nothing else lost.
            try Self.write(Self.config(kind: "a", extra: ""), to: gateway)
            #expect(Self.reload(gateway, until: "configuration reloaded"))
            #expect(gateway.log.contains("configuration reloaded: nothing changed"))
        }
    }
}
