import CoreMetrics
import GatewayPlugin
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import Testing

@testable import GatewayServer

@Suite struct ClusterPublisherTests {
    let engine = MemoryEngine()
    let fenced = NIOLockedValueBox(0)

    func publisher(budget: OutboxBudget = OutboxBudget(limit: 1 << 20)) -> ClusterPublisher {
        let metrics = ClusterMetrics(factory: TestMetrics()).endpoint("/a", factory: TestMetrics())
        let fenced = self.fenced
        return ClusterPublisher(
            endpoint: "/a", budget: budget, instance: "test", metrics: metrics, logger: Logger(label: "test"),
            onFenced: { fenced.withLockedValue { $0 += 1 } })
    }

    func stream() async throws -> MemoryStream {
        _ = try await engine.openStream(ClusterStreamSpec(endpoint: "/a", cluster: "c", replay: 10_000, hasChannels: false))
        return engine.stream("/a")!
    }

    static func events(_ range: ClosedRange<Int>) -> [ClusterEvent] {
        range.map { ClusterEvent(event: Event(id: "u\($0)", data: "\($0)"), channel: nil) }
    }

    @Test func publishesInOrderEachOnce() async throws {
        let stream = try await stream()
        let publisher = publisher()
        publisher.start(stream: stream, last: 0)
        for start in stride(from: 1, through: 1000, by: 100) { publisher.submit(Self.events(start...(start + 99))) }
        #expect(await publisher.drained(within: .seconds(10)))
        #expect(stream.stored.map(\.data) == (1...1000).map { "\($0)" })
        #expect(stream.stored.last?.sourceID == "u1000")
    }

    @Test func aFailedPublishIsResentWithoutReorderingOrDoubling() async throws {
        let stream = try await stream()
        let publisher = publisher()
        publisher.start(stream: stream, last: 0)
        // Message ids are "test-TERM-N": the 5th fails before the stream, the 9th is stored but its answer is lost.
        stream.failing = ["test-1-5", "test-1-40"]
        stream.losingAnswers = ["test-1-9", "test-1-41"]
        publisher.submit(Self.events(1...50))
        #expect(await publisher.drained(within: .seconds(20)))
        #expect(stream.stored.map(\.data) == (1...50).map { "\($0)" })
        #expect(fenced.withLockedValue { $0 } == 0)
    }

    @Test func anotherWriterFencesTheHolderOff() async throws {
        let stream = try await stream()
        let publisher = publisher()
        publisher.start(stream: stream, last: 0)
        publisher.submit(Self.events(1...3))
        #expect(await publisher.drained(within: .seconds(10)))
        // Another instance took over and wrote: this holder's next event is refused, and it stops.
        stream.append("other")
        publisher.submit(Self.events(4...6))
        for _ in 0..<500 where fenced.withLockedValue({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(fenced.withLockedValue { $0 } == 1)
        #expect(stream.stored.map(\.data) == ["1", "2", "3", "other"])
        // Stopped: what it is handed now is dropped, not published.
        publisher.submit(Self.events(7...7))
        #expect(await publisher.drained(within: .seconds(1)))
        #expect(stream.stored.count == 4)
    }

    @Test func anUnreachableEngineFillsTheOutboxThenPausesAndResumes() async throws {
        let stream = try await stream()
        let pressure = NIOLockedValueBox<[Bool]>([])
        let budget = OutboxBudget(limit: 4_000)
        budget.onPressure { paused in pressure.withLockedValue { $0.append(paused) } }
        let publisher = publisher(budget: budget)
        publisher.start(stream: stream, last: 0)
        engine.reachable = false
        publisher.submit(Self.events(1...100))
        try await Task.sleep(for: .milliseconds(200))
        #expect(stream.stored.isEmpty)
        #expect(budget.isPaused)
        #expect(pressure.withLockedValue { $0 } == [true])
        engine.reachable = true
        #expect(await publisher.drained(within: .seconds(10)))
        #expect(stream.stored.map(\.data) == (1...100).map { "\($0)" })
        #expect(budget.bytes == 0)
        #expect(pressure.withLockedValue { $0 } == [true, false])
        #expect(await publisher.newestSourceIDTaken() == "u100")
    }
}
