import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Request heads that never finish: each holds a descriptor until the server lets it go.
    @Suite struct SlowRequestTests {
        /// 50 connections drip a request head a byte at a time (slowloris) and one sends an
        /// endless header line; `request_timeout` answers the first 408 and the size limit the
        /// second 431, while a stream and health checks are served throughout.
        @Test func slowAndEndlessRequestHeadsAreClosedWhileOthersAreServed() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    server:
                      request_timeout: 1s
                    sources:
                      ticks: { type: generate, interval: 50ms, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                    """)
            defer { gateway.stop() }
            let stream = try RawClient(port: gateway.port)
            stream.get("/ticks")
            #expect(stream.read(until: { $0.events.count >= 2 }, timeout: 10))

            let slow = try (0..<50).map { _ in try RawClient(port: gateway.port) }
            for client in slow { client.send("GET /ticks HTTP/1.1\r\nHost: 127.0.0.1\r\n") }
            let endless = try RawClient(port: gateway.port)
            endless.send("GET /ticks HTTP/1.1\r\nX-Endless: ")

            // For three seconds (three timeouts' worth): a header byte every 100 ms on every slow
            // connection, 16 KiB more of the endless line, and a health check that must answer.
            let started = Date()
            var slowestHealthCheck = 0.0
            while Date().timeIntervalSince(started) < 3 {
                for client in slow where !client.closedByPeer {
                    client.send("X")
                    client.readOnce(timeout: 0)
                }
                if !endless.closedByPeer {
                    endless.send(String(repeating: "a", count: 16 * 1024))
                    endless.readOnce(timeout: 0)
                }
                let asked = Date()
                let health = try fetch(port: gateway.port, get: "/healthz")
                slowestHealthCheck = max(slowestHealthCheck, Date().timeIntervalSince(asked))
                #expect(health.text.hasPrefix("HTTP/1.1 200 OK"))
                usleep(100_000)
            }
            #expect(slowestHealthCheck < TestTiming.seconds(1), "a health check took \(slowestHealthCheck) s")

            for client in slow {
                client.readToEnd(timeout: 5)
                #expect(client.closedByPeer)
                #expect(client.text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(client.text.prefix(40))")
            }
            endless.readToEnd(timeout: 5)
            #expect(endless.closedByPeer)
            #expect(endless.text.hasPrefix("HTTP/1.1 431 "), "\(endless.text.prefix(40))")

            let before = stream.events.count
            #expect(stream.read(until: { $0.events.count >= before + 3 }, timeout: 10), "the stream kept flowing")
            #expect(!stream.closedByPeer)
            let metrics = try fetch(port: gateway.port, get: "/metrics").text
            #expect(metrics.contains(#"gateway_client_errors_total{reason="timeout"} 50"#))
            #expect(metrics.contains(#"gateway_client_errors_total{reason="header_too_large"} 1"#))
            // A head cut short by the timeout is not also counted as malformed.
            let badRequests = metrics.split(separator: "\n").first { $0.hasPrefix(#"gateway_client_errors_total{reason="bad_request"}"#) }
            #expect(badRequests == nil || badRequests!.hasSuffix(" 0"), "\(badRequests ?? "")")
        }
    }
}
