import Foundation
import GatewayCluster
import GatewayServer
import NATS
import Testing
import TestSupport

/// Not a test: measures the engine on this machine when GATEWAY_NATS_BENCH=1, and prints.
@Suite(
    .needsNATSServer, .enabled(if: ProcessInfo.processInfo.environment["GATEWAY_NATS_BENCH"] == "1", "set GATEWAY_NATS_BENCH=1 to measure"),
    .serialized)
struct ThroughputMeasurement {
    static let count = 200_000
    static let payload = String(repeating: "x", count: 200)

    /// Publishes `count` 200-byte messages keeping `window` unacked: each ack sends the next.
    static func publishAll(_ stream: any ClusterStream, count: Int, window: Int, prefix: String) async -> Duration {
        let loop = PublishLoop(stream: stream, count: count, prefix: prefix, payload: payload)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<min(window, count) { loop.next() }
        while loop.acked < count { try? await Task.sleep(for: .microseconds(200)) }
        return clock.now - start
    }

    @Test func publishAndFollowRates() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server, requestTimeout: .seconds(10))
        let spec = ClusterStreamSpec(endpoint: "/bench", cluster: "test", replay: 1_000_000, hasChannels: false)
        let stream = try await engine.openStream(spec)

        // Live tail: a follower from the start, while publishing.
        let followerEngine = try makeEngine(server, instanceID: "follower")
        let followed = try await followerEngine.openStream(spec)
        let delivered = Locked(0)
        let clock = ContinuousClock()
        let liveDone = Locked<ContinuousClock.Instant?>(nil)
        let subscription = try followed.follow(from: 1) { batch in
            let total = delivered.withLock { total in
                total += batch.count
                return total
            }
            if total == Self.count { liveDone.withLock { $0 = clock.now } }
        }
        for window in [256, 4096] {
            let elapsed = await Self.publishAll(stream, count: Self.count / 2, window: window, prefix: "w\(window)")
            let rate = Double(Self.count / 2) / elapsed.seconds
            print("MEASURE publish window=\(window): \(Self.count / 2) msgs of 200 B in \(elapsed) = \(Int(rate)) msg/s")
        }
        let publishedAt = clock.now
        #expect(await eventually(seconds: 60) { delivered.withLock { $0 } >= Self.count })
        if let done = liveDone.withLock({ $0 }) {
            print("MEASURE live follow: all \(Self.count) delivered \(done - publishedAt) after the last ack")
        }
        subscription.cancel()

        // Replay: a new follower from sequence 1 over the whole stream.
        let replayed = Locked(0)
        let replayStart = clock.now
        let replayDone = Locked<ContinuousClock.Instant?>(nil)
        let replay = try followed.follow(from: 1) { batch in
            let total = replayed.withLock { total in
                total += batch.count
                return total
            }
            if total == Self.count { replayDone.withLock { $0 = clock.now } }
        }
        #expect(await eventually(seconds: 60) { replayed.withLock { $0 } >= Self.count })
        if let done = replayDone.withLock({ $0 }) {
            let elapsed = done - replayStart
            print("MEASURE replay follow: \(Self.count) msgs in \(elapsed) = \(Int(Double(Self.count) / elapsed.seconds)) msg/s")
        }
        replay.cancel()

        // Latency: one message at a time, publish → delivery.
        let arrivals = Locked<[ContinuousClock.Instant]>([])
        let bounds = try await stream.bounds()
        let live = try followed.follow(from: bounds.last + 1) { batch in
            let now = clock.now
            arrivals.withLock { $0 += Array(repeating: now, count: batch.count) }
        }
        try await Task.sleep(for: .milliseconds(200))
        var latencies: [Duration] = []
        for index in 0..<500 {
            let sent = clock.now
            _ = await stream.publish(ClusterMessage(messageID: "lat-\(index)", data: Self.payload))
            _ = await eventually(seconds: 5) { arrivals.withLock { $0.count } > index }
            latencies.append(arrivals.withLock { $0[index] } - sent)
        }
        latencies.sort()
        print("MEASURE publish→follow latency: p50 \(latencies[250]) p99 \(latencies[495])")
        live.cancel()

        // Reads: the last 100 (a resume past the cache), 1,000 times.
        let last = try await stream.bounds().last
        let readStart = clock.now
        for _ in 0..<1000 { _ = try await stream.read(from: last - 99, channels: [], limit: 100) }
        print("MEASURE read of the last 100: \((clock.now - readStart) / 1000) each")
        let bigStart = clock.now
        let big = try await stream.read(from: 1, channels: [], limit: 100_000)
        print("MEASURE read of 100,000: \(clock.now - bigStart) (\(big.count))")

        await engine.close()
        await followerEngine.close()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A window of publishes: each answer sends the next message.
final class PublishLoop: Sendable {
    private let stream: any ClusterStream
    private let count: Int
    private let prefix: String
    private let payload: String
    private let state = Locked((sent: 0, acked: 0))

    init(stream: any ClusterStream, count: Int, prefix: String, payload: String) {
        self.stream = stream
        self.count = count
        self.prefix = prefix
        self.payload = payload
    }

    var acked: Int { state.withLock { $0.acked } }

    func next() {
        let index: Int? = state.withLock { state in
            guard state.sent < count else { return nil }
            defer { state.sent += 1 }
            return state.sent
        }
        guard let index else { return }
        stream.publish(ClusterMessage(messageID: "\(prefix)-\(index)", type: "tick", data: payload), expectation: nil) { [self] _ in
            state.withLock { $0.acked += 1 }
            next()
        }
    }
}
