import GatewayConfig
import GatewayPlugin
import Synchronization
import Testing
import TestSupport

@testable import DedupeTransform

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Locked(ContinuousClock.now)
    func now() -> ContinuousClock.Instant { current.withLock { $0 } }
    func advance(by duration: Duration) { current.withLock { $0 += duration } }
}

@Suite struct DedupeTransformTests {
    func run(_ dedupe: any Transform, _ events: [Event]) -> [String] {
        var output: [Event] = []
        for event in events { dedupe.process(event, into: &output) }
        return output.map(\.data)
    }

    func make(_ yaml: String) throws -> any Transform {
        try DedupeTransform.plugin.prepare(yaml: yaml).get().make()
    }

    @Test func dropsARepeatedIdAndPassesEventsWithoutOne() throws {
        let dedupe = try make("{ by: id }")
        let events = [Event(id: "a", data: "1"), Event(id: "b", data: "2"), Event(id: "a", data: "3"), Event(data: "4"), Event(data: "5")]
        #expect(run(dedupe, events) == ["1", "2", "4", "5"])
    }

    @Test func byDataComparesWholePayloadsIncludingLongOnes() throws {
        let dedupe = try make("{ by: data }")
        let long = String(repeating: "x", count: 10_000)
        #expect(run(dedupe, [Event(data: "a"), Event(data: "a"), Event(data: long), Event(data: long + "y"), Event(data: long)]) == ["a", long, long + "y"])
    }

    @Test func byDataPathUsesThatFieldAndPassesEventsWithoutIt() throws {
        let dedupe = try make("{ by: data.order.id }")
        let events = [
            Event(data: #"{"order":{"id":1},"v":1}"#), Event(data: #"{"order":{"id":1},"v":2}"#),
            Event(data: #"{"order":{"id":2}}"#), Event(data: "not json"), Event(data: "not json"), Event(data: #"{"x":1}"#),
        ]
        #expect(run(dedupe, events) == [events[0].data, events[2].data, "not json", "not json", events[5].data])
    }

    @Test func theWindowForgetsTheLeastRecentlySeenKeyFirst() throws {
        let dedupe = try make("{ by: id, window: 2 }")
        // a, b held; a seen again (refreshes a); c evicts b, the least recently seen (first-in would have
        // evicted a); so a is still a duplicate and b passes again.
        let events = ["a", "b", "a", "c", "a", "b"].enumerated().map { Event(id: $1, data: "\($0)") }
        #expect(run(dedupe, events) == ["0", "1", "3", "5"])
    }

    @Test func memoryStaysBoundedByTheWindowWhateverTheInput() {
        var keys = RecentKeys<DedupeKey, Int>(capacity: 100)
        for index in 0..<10_000 { keys.admit(DedupeKey("k\(index)"), at: index) }
        #expect(keys.count == 100)
        #expect(keys.touch(DedupeKey("k9999")) == 9999)
        #expect(keys.touch(DedupeKey("k0")) == nil)
    }

    @Test func aKeyPassesAgainOnceTheTTLHasElapsedSinceItLastPassed() throws {
        let clock = ManualClock()
        let plugin = TransformPlugin(name: "dedupe", summary: "") { DedupeTransform.prepare($0, now: { clock.now() }) }
        let dedupe = try plugin.prepare(yaml: "{ by: id, ttl: 10s }").get().make()
        var output: [Event] = []
        dedupe.process(Event(id: "a", data: "1"), into: &output)
        clock.advance(by: .seconds(6))
        dedupe.process(Event(id: "a", data: "2"), into: &output)
        clock.advance(by: .seconds(5))
        dedupe.process(Event(id: "a", data: "3"), into: &output)
        clock.advance(by: .seconds(1))
        dedupe.process(Event(id: "a", data: "4"), into: &output)
        #expect(output.map(\.data) == ["1", "3"])
    }

    @Test func badOptionsAreReportedWithPositions() {
        guard case .failure(let errors) = DedupeTransform.plugin.prepare(yaml: "by: name\nwindow: 0\nttl: forever\nsize: 3\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(
            errors.problems.map(\.description) == [
                "test.yaml:1:5: 'by' must be id, data or data.PATH (like data.order.id), found 'name'",
                "test.yaml:2:9: 'window' must be between 1 and 10000000, found 0",
                "test.yaml:3:6: 'ttl' must be a duration like 250ms, 5s, 1m or 2h, found 'forever'",
                "test.yaml:4:1: unknown key 'size' in 'dedupe'.",
            ])
    }
}
