import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Hundreds of sources and endpoints in one gateway.
    @Suite struct ManySourcesTests {
        /// 300 `sse` sources on one origin, each feeding its own endpoint: the gateway starts,
        /// connects them all, relays, and then idles cheaply. The figures are printed (this is
        /// the debug build; the bounds are generous on purpose — they catch a blow-up, not a
        /// regression of a few percent).
        @Test func threeHundredSourcesAndEndpointsStartQuicklyAndIdleCheaply() throws {
            let count = 300
            let origin = try LoopbackServer { connection in
                connection.startEventStream()
                connection.write("id: 1\ndata: \(connection.request.path)\n\n")
                connection.waitForPeerClose(seconds: 120)
            }
            defer { origin.close() }
            var yaml = "server:\n  dashboard: false\nsources:\n"
            for index in 0..<count { yaml += "  s\(index): { type: sse, url: '\(origin.url("/s\(index)"))' }\n" }
            yaml += "endpoints:\n"
            for index in 0..<count { yaml += "  - { path: /e\(index), from: [s\(index)], replay: 10 }\n" }

            let started = Date()
            let gateway = try GatewayProcess(yaml: yaml)
            defer { gateway.stop() }
            var ready = false
            while !ready && Date().timeIntervalSince(started) < 60 {
                ready = (try? fetch(port: gateway.port, get: "/readyz"))?.text.hasPrefix("HTTP/1.1 200") == true
                if !ready { usleep(50_000) }
            }
            let startUp = Date().timeIntervalSince(started)
            #expect(ready, "not every source connected within a minute")
            #expect(origin.connectionCount == count)

            // Every endpoint serves its source's event from its log.
            for index in [0, 150, 299] {
                let client = try RawClient(port: gateway.port)
                client.get("/e\(index)", headers: ["Last-Event-ID: 0-0"])
                #expect(client.read(until: { $0.events.contains { $0.data == ["/s\(index)"] } }, timeout: 10))
            }

            let cpuBefore = gateway.cpuSeconds
            Thread.sleep(forTimeInterval: 3)
            let idleCores = (gateway.cpuSeconds - cpuBefore) / 3
            let residentMiB = Double(gateway.residentBytes) / 1_048_576
            print("300 sources and endpoints: ready in \(String(format: "%.2f", startUp)) s, idle \(String(format: "%.3f", idleCores)) cores, RSS \(String(format: "%.1f", residentMiB)) MiB")
            #expect(startUp < 30)
            #expect(idleCores < 0.3)
            #expect(residentMiB < 512)
        }
    }
}
