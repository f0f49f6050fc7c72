import Foundation
import GatewayPlugin
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import GatewayServer

/// A source that counts: event N has id "N" and data "N", one every `interval`, starting after
/// the id it is asked to resume from (an upstream that can replay from an id).
struct CountingSource: Source {
    let interval: Duration
    var summary: String { "counting" }

    func run(_ context: SourceContext) async throws -> SourceCompletion {
        context.output.markReady()
        var number = context.resumeFrom.flatMap { Int($0) } ?? 0
        while !Task.isCancelled {
            number += 1
            context.output.emit([Event(id: "\(number)", event: "n", data: "\(number)")])
            try await Task.sleep(for: interval)
        }
        return .finished
    }
}

/// One gateway of a cluster whose engine is in memory, run in this process.
struct ClusterInstance {
    let gateway: GatewayServer
    let group: MultiThreadedEventLoopGroup
    let port: Int
    let services: ServiceGroup
    let running: Task<Void, any Error>

    static func start(engine: MemoryEngine, lease: Duration = .seconds(1), outbox: Int = 1 << 20) async throws -> ClusterInstance {
        var server = ServerSettings()
        server.listen = ListenAddress(host: "127.0.0.1", port: 0)
        server.dashboard = false
        let settings = GatewaySettings(
            server: server,
            sources: [SourceSettings(name: "count", type: "counting", source: CountingSource(interval: .milliseconds(5)))],
            endpoints: [EndpointSettings(path: "/n", sources: ["count"], replay: 100_000, log: .cluster)],
            cluster: ClusterSettings(engine: engine, name: "test", lease: lease, outbox: outbox, cache: 50))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let gateway = try GatewayServer(settings: settings, group: group, logger: Logger(label: "test"))
        let address = try await gateway.bind()
        let services = gateway.serviceGroup()
        let running = Task { try await services.run() }
        return ClusterInstance(gateway: gateway, group: group, port: address.port!, services: services, running: running)
    }

    func stop() async throws {
        await services.triggerGracefulShutdown()
        try await running.value
        try await group.shutdownGracefully()
    }
}

@Suite(.serialized) struct ClusteredEndpointTests {
    /// Reads `/n` on `port` from `lastEventID` until `count` events arrived; returns (id, data) pairs.
    static func read(port: Int, lastEventID: String? = nil, count: Int) async throws -> [(id: String, data: String)] {
        let text: String = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let client = try BlockingClient(port: port)
                    let resume = lastEventID.map { "Last-Event-ID: \($0)\r\n" } ?? ""
                    client.send("GET /n HTTP/1.1\r\nHost: x\r\n\(resume)\r\n")
                    // Each read waits at most the socket's 10 s timeout.
                    var reads = 0
                    while client.received.components(separatedBy: "\ndata: ").count - 1 < count, reads < 10_000, client.readOnce() {
                        reads += 1
                    }
                    continuation.resume(returning: client.received)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        var events: [(String, String)] = []
        var id = ""
        // CR LF (the chunk framing) is one Character: split on the bytes.
        for line in text.utf8.split(separator: UInt8(ascii: "\n")).map({ String(decoding: $0, as: UTF8.self) }) {
            if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
            if line.hasPrefix("data: ") { events.append((id, String(line.dropFirst(6)))) }
        }
        return Array(events.prefix(count))
    }

    /// Waits (at most 10 s) until the stream holds `count` messages.
    static func waitForStream(_ engine: MemoryEngine, count: Int) async throws -> MemoryStream {
        for _ in 0..<1000 {
            if let stream = engine.stream("/n"), stream.stored.count >= count { return stream }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }

    static func numbers(_ events: [(id: String, data: String)]) -> [Int] { events.compactMap { Int($0.data) } }

    /// The value of an unlabelled series in `/metrics` on `port`.
    static func metric(_ name: String, port: Int) async throws -> Double? {
        let text = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            Thread.detachNewThread {
                do {
                    let client = try BlockingClient(port: port)
                    client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    continuation.resume(returning: client.readToEnd())
                } catch { continuation.resume(throwing: error) }
            }
        }
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    @Test func oneInstanceRunsTheSourcesEveryInstanceServesAndAClientResumesOnAnother() async throws {
        let engine = MemoryEngine()
        let a = try await ClusterInstance.start(engine: engine)
        let b = try await ClusterInstance.start(engine: engine)
        let stream = try await Self.waitForStream(engine, count: 60)

        // One source ran: the stream is 1, 2, 3, … with no number twice.
        let stored = stream.stored.map(\.data)
        #expect(stored == (1...stored.count).map { "\($0)" })
        #expect(engine.holder(of: "/n") != nil)

        // Both serve it, with the same ids: read 20 on A, then resume on B from A's last id.
        let first = try await Self.read(port: a.port, count: 20)
        #expect(first.count == 20)
        let last = try #require(first.last)
        #expect(last.id == "\(stream.epoch)-\(last.data)")
        let resumed = try await Self.read(port: b.port, lastEventID: last.id, count: 20)
        #expect(Self.numbers(resumed) == Array((Int(last.data)! + 1)...(Int(last.data)! + 20)))

        // Older than each instance's cache (50 events): read from the stream, then the cache.
        let old = try await Self.read(port: b.port, lastEventID: "\(stream.epoch)-3", count: 100)
        #expect(Self.numbers(old) == Array(4...103))

        try await a.stop()
        try await b.stop()
    }

    @Test func whenTheHolderStopsAnotherTakesOverAndTheUpstreamResumesWithNoGapOrDouble() async throws {
        let engine = MemoryEngine()
        let a = try await ClusterInstance.start(engine: engine)
        _ = try await Self.waitForStream(engine, count: 20)
        let b = try await ClusterInstance.start(engine: engine)
        try await Task.sleep(for: .milliseconds(300))
        // A took the lease first; it stops cleanly and releases it.
        try await a.stop()
        let before = try #require(engine.stream("/n")).stored.count
        let stream = try await Self.waitForStream(engine, count: before + 40)
        let stored = stream.stored.map(\.data)
        #expect(stored == (1...stored.count).map { "\($0)" }, "every number once, in order, across the takeover")
        let fromB = try await Self.read(port: b.port, lastEventID: "\(stream.epoch)-\(before - 5)", count: 30)
        #expect(Self.numbers(fromB) == Array((before - 4)...(before + 25)))
        try await b.stop()
    }

    @Test func aLapsedLeaseIsTakenOverWithinTheLease() async throws {
        let engine = MemoryEngine()
        let a = try await ClusterInstance.start(engine: engine)
        _ = try await Self.waitForStream(engine, count: 10)
        let holder = try #require(engine.holder(of: "/n"))
        let b = try await ClusterInstance.start(engine: engine)
        // A's lease lapses as if it had died, and B takes it on its next try (every lease / 3);
        // A is refused when it next writes to the stream, and stops.
        engine.expire("/n")
        let clock = ContinuousClock()
        let start = clock.now
        var polls = 0
        while engine.holder(of: "/n") == holder || engine.holder(of: "/n") == nil, polls < 300 {
            try await Task.sleep(for: .milliseconds(10))
            polls += 1
        }
        #expect(engine.holder(of: "/n") != holder)
        #expect(clock.now - start < .seconds(3))
        // For a moment both ran the source; the stream still has every number once, in order.
        let before = try #require(engine.stream("/n")).stored.count
        let stored = try await Self.waitForStream(engine, count: before + 100).stored.map(\.data)
        #expect(stored == (1...stored.count).map { "\($0)" })
        try await a.stop()
        try await b.stop()
    }

    @Test func whenTheEngineIsAwayTheHolderPausesAtTheOutboxLimitAndResumesTheUpstreamWithNothingLost() async throws {
        let engine = MemoryEngine()
        // A small outbox: about 40 events of this source.
        let a = try await ClusterInstance.start(engine: engine, outbox: 4_000)
        let stream = try await Self.waitForStream(engine, count: 20)
        engine.reachable = false
        // The outbox fills to its limit (bounded wait: the source emits every 5 ms)…
        var outbox = 0.0
        var polls = 0
        while outbox <= 4_000, polls < 400 {
            try await Task.sleep(for: .milliseconds(50))
            outbox = try await Self.metric("gateway_cluster_outbox_bytes", port: a.port) ?? 0
            polls += 1
        }
        #expect(outbox > 4_000)
        let whileAway = stream.stored.count
        // …and stops there: the source was paused rather than running on.
        try await Task.sleep(for: .milliseconds(500))
        let later = try await Self.metric("gateway_cluster_outbox_bytes", port: a.port) ?? 0
        #expect(later < 4_000 + 1_000, "the outbox kept growing: \(later) bytes")
        #expect(try await Self.metric("gateway_cluster_connected", port: a.port) == 0)
        engine.reachable = true
        let stored = try await Self.waitForStream(engine, count: whileAway + 200).stored.map(\.data)
        #expect(stored == (1...stored.count).map { "\($0)" }, "every number once, in order, through the pause")
        try await a.stop()
    }
}
