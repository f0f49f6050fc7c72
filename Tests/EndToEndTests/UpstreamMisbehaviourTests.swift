import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Upstreams that misbehave: each is contained to its own source.
    @Suite struct UpstreamMisbehaviourTests {
        /// One upstream accepts and never answers, one answers and resets at once every time;
        /// a third source is healthy. The healthy endpoint keeps its pace, the resetting one is
        /// reconnected with a growing delay, and the gateway stays nearly idle.
        @Test func silentAndResettingUpstreamsCostLittleAndDisturbNoOne() throws {
            let silent = try LoopbackServer { connection in connection.waitForPeerClose(seconds: 30) }
            defer { silent.close() }
            let resetting = try LoopbackServer { connection in
                connection.startEventStream()
                connection.write("retry: 0\nid: \(connection.index)\ndata: x\n\n")
            }
            defer { resetting.close() }
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      silent: { type: sse, url: '\(silent.url())', read_timeout: 500ms }
                      resetting: { type: sse, url: '\(resetting.url())' }
                      ticks: { type: generate, interval: 20ms, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /silent, from: [silent] }
                      - { path: /resetting, from: [resetting] }
                      - { path: /ticks, from: [ticks] }
                    """)
            defer { gateway.stop() }
            let client = try RawClient(port: gateway.port)
            client.get("/ticks")
            #expect(client.read(until: { $0.events.count >= 5 }, timeout: 10))

            let cpuBefore = gateway.cpuSeconds
            let connectionsBefore = resetting.connectionCount
            let eventsBefore = client.events.count
            client.read(until: { _ in false }, timeout: 3)
            let cores = (gateway.cpuSeconds - cpuBefore) / 3
            let reconnects = resetting.connectionCount - connectionsBefore
            print("silent + resetting upstreams: \(String(format: "%.3f", cores)) cores, \(reconnects) reconnects in 3 s")
            // 150 ticks in 3 s: the healthy endpoint kept (most of) its pace.
            #expect(client.events.count - eventsBefore >= 100)
            #expect(!client.closedByPeer)
            // 100 ms, then doubling: a handful of connections, not hundreds.
            #expect(reconnects <= 10)
            #expect(cores < TestTiming.quietCores(0.3))
            // The silent one is retried on its read timeout.
            #expect(silent.connectionCount >= 2)
        }

        /// An upstream that sends tiny events as fast as loopback allows: memory stays bounded
        /// (the endpoint's log and its clients' buffers), and the gateway keeps answering.
        @Test func aFloodOfTinyEventsKeepsMemoryBounded() throws {
            let stop = LockedFlag()
            let flood = try LoopbackServer { connection in
                connection.startEventStream()
                let batch = String(repeating: "data: x\n\n", count: 1000)
                while !stop.isSet, connection.write(batch) {}
            }
            defer {
                stop.set()
                flood.close()
            }
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      flood: { type: sse, url: '\(flood.url())' }
                    endpoints:
                      - { path: /flood, from: [flood], replay: 1000 }
                    """)
            defer { gateway.stop() }
            let reader = try RawClient(port: gateway.port)
            reader.get("/flood")
            var samples: [Int] = []
            let started = Date()
            while Date().timeIntervalSince(started) < 4 {
                reader.read(until: { _ in false }, timeout: 0.5)
                samples.append(gateway.residentBytes)
            }
            let metrics = try fetch(port: gateway.port, get: "/metrics").text
            let published = metrics.split(separator: "\n").first { $0.hasPrefix(#"gateway_endpoint_events_total{endpoint="/flood"}"#) }
            let count = published.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
            let peakMiB = Double(samples.max() ?? 0) / 1_048_576
            print("flood: \(Int(count)) events published in 4 s, peak RSS \(String(format: "%.1f", peakMiB)) MiB")
            #expect(count > 10_000 / TestTiming.slowdown, "the flood went through")
            #expect(peakMiB < 384)
            #expect(try fetch(port: gateway.port, get: "/healthz").text.hasPrefix("HTTP/1.1 200"))
        }
    }
}

/// A flag set from one thread and read from another.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
