import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// An endpoint's pipeline as clients and /metrics see it, and HTTPS.
    @Suite struct PipelineAndTLSTests {
        @Test func aPipelineRunsPerEndpointAndItsDropsAreCountedWithTheStepName() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      keep: { type: generate, interval: 20ms, event: keep, data: 'n={{seq}}' }
                      drop: { type: generate, interval: 20ms, event: drop, data: 'n={{seq}}' }
                    endpoints:
                      - path: /kept
                        from: [keep, drop]
                        pipeline:
                          - filter: { event: keep }
                          - rename: { keep: kept }
                      - { path: /all, from: [keep, drop] }
                    """)
            defer { gateway.stop() }
            let kept = try RawClient(port: gateway.port)
            kept.get("/kept")
            let all = try RawClient(port: gateway.port)
            all.get("/all")
            #expect(kept.read(until: { $0.events.count >= 5 }, timeout: 5))
            #expect(all.read(until: { Set($0.events.compactMap(\.type)).count == 2 }, timeout: 5))
            #expect(Set(kept.events.compactMap(\.type)) == ["kept"])
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            let dropped = metrics.split(separator: "\n").first { $0.hasPrefix("gateway_dropped_events_total{endpoint=\"/kept\",reason=\"filter\"}") }
            #expect((dropped?.split(separator: " ").last.flatMap { Int($0) } ?? 0) > 0)
            #expect(!metrics.contains("gateway_dropped_events_total{endpoint=\"/all\""))
        }

        static let tools = ["/usr/bin/openssl", "/usr/bin/curl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

        @Test(.enabled(if: tools, "needs openssl and curl"))
        func withTLSConfiguredTheStreamsAreServedOverHTTPS() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let cert = folder.appendingPathComponent("cert.pem").path
            let key = folder.appendingPathComponent("key.pem").path
            #expect(
                run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"])
                    .status == 0)
            let gateway = try GatewayProcess(
                yaml: """
                    server:
                      tls: { cert: \(cert), key: \(key) }
                    sources:
                      ticks: { type: generate, interval: 50ms, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                    """)
            defer { gateway.stop() }
            #expect(gateway.log.contains("scheme=https"))
            let result = run("/usr/bin/curl", ["-sk", "-i", "-N", "--http1.1", "--max-time", "2", "https://127.0.0.1:\(gateway.port)/ticks"])
            #expect(result.output.hasPrefix("HTTP/1.1 200 OK"))
            #expect(result.output.contains("retry: 2000\n:ok\n\n"))
            #expect(result.output.contains("event: tick\ndata: n="))
        }

        private func run(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return (-1, "") }
            let pid = process.processIdentifier
            let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            watchdog.cancel()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }
}
