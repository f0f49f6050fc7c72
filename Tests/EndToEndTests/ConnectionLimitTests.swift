import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// More connections than the process may open.
    @Suite struct ConnectionLimitTests {
        /// 300 stream requests against a gateway allowed 256 descriptors: before the connection
        /// budget, the accept loop spun a core on EMFILE, `/healthz` stopped answering and the
        /// process died within seconds (libdispatch traps when it cannot open `/proc`).
        @Test func pastTheOpenFileLimitExistingClientsAndHealthChecksAreServedAndItRecovers() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      ticks: { type: generate, interval: 100ms, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                    """,
                openFileLimit: 256)
            defer { gateway.stop() }
            #expect(gateway.log.contains("max_clients is above the connections the open-file limit allows"))

            let existing = try RawClient(port: gateway.port)
            existing.get("/ticks")
            #expect(existing.read(until: { $0.events.count >= 3 }, timeout: 10))

            var flood = try (0..<300).map { _ in try RawClient(port: gateway.port) }
            for client in flood { client.get("/ticks") }
            // Give the gateway time to take (or refuse) every one of them.
            Thread.sleep(forTimeInterval: 1)

            let before = existing.events.count
            #expect(existing.read(until: { $0.events.count >= before + 10 }, timeout: 10), "an existing client goes on receiving")
            #expect(!existing.closedByPeer)
            #expect(healthCheckAnswers(port: gateway.port), "/healthz answers while the gateway is full")

            // An accept loop spinning on EMFILE used a whole core; a gateway that refuses cheaply idles.
            let cpuStart = gateway.cpuSeconds
            Thread.sleep(forTimeInterval: 2)
            let cpu = (gateway.cpuSeconds - cpuStart) / 2
            #expect(cpu < TestTiming.quietCores(0.5), "the gateway used \(cpu) of a core while full")

            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            let refused = metrics.firstMatch(of: /gateway_connections_refused_total\{reason="fd_limit"\} (\d+)/).flatMap { Int($0.1) } ?? 0
            #expect(refused >= 300 - 256, "refusals are counted (\(refused))")
            #expect(gateway.log.components(separatedBy: "connection limit reached").count - 1 == 1, "logged once per episode")

            // Closing the flood ends the episode; new clients are served again.
            flood.removeAll()
            let recovered = try RawClient(port: gateway.port)
            var waited = 0.0
            while !gateway.log.contains("connections below the limit again") && waited < 10 {
                Thread.sleep(forTimeInterval: 0.1)
                waited += 0.1
            }
            #expect(gateway.log.contains("connections below the limit again"))
            recovered.get("/ticks")
            #expect(recovered.read(until: { $0.events.count >= 3 }, timeout: 10), "a new client is served after the flood")
            #expect(gateway.process.isRunning)
            #expect(gateway.terminate().status == 0)
        }

        /// `/healthz` within a few tries: the overflow places are few and a flood's refusals pass through them too.
        private func healthCheckAnswers(port: Int) -> Bool {
            for _ in 0..<20 {
                if let answer = try? fetch(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout: 3), answer.status == 200 {
                    return true
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return false
        }
    }
}
