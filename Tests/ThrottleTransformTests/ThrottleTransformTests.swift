import GatewayConfig
import GatewayPlugin
import Logging
import Synchronization
import Testing
import TestSupport

@testable import ThrottleTransform

/// Collects what a transform emits on its own schedule, and runs the timers it asks for on
/// the test's clock (the gateway runs them on the endpoint's executor).
final class Emitted: Sendable {
    private let events = Locked<[Event]>([])
    private let timers = Locked<[Task<Void, Never>]>([])
    var all: [Event] { events.withLock { $0 } }
    func context() -> TransformContext {
        TransformContext(
            endpoint: "/test", logger: Logger(label: "test"),
            emit: { batch in self.events.withLock { $0 += batch } },
            dropped: { _, _ in },
            repeatEvery: { interval, tick in
                let timer = Task {
                    while (try? await Task.sleep(for: interval)) != nil { tick() }
                }
                self.timers.withLock { $0.append(timer) }
            })
    }

    deinit {
        for timer in timers.withLock({ $0 }) { timer.cancel() }
    }

    /// Waits, in small steps for at most `limit`, until `condition` holds of what was emitted.
    func wait(atMost limit: Duration = .seconds(10), until condition: ([Event]) -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if condition(all) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(all)
    }
}

func quote(_ symbol: String, _ price: Int) -> Event {
    Event(event: "quote", data: #"{"symbol":"\#(symbol)","price":\#(price)}"#)
}

@Suite struct ThrottleTransformTests {
    func make(_ yaml: String) throws -> ThrottleTransform {
        let transform = try ThrottleTransform.plugin.prepare(yaml: yaml).get().make()
        return try #require(transform as? ThrottleTransform)
    }

    /// Processes `events` and returns what passed at once.
    func feed(_ throttle: ThrottleTransform, _ events: [Event]) -> [Event] {
        var output: [Event] = []
        for event in events { throttle.process(event, into: &output) }
        return output
    }

    @Test func sendsOnlyTheLatestEventPerKeyAtTheEndOfTheIntervalInFirstArrivalOrder() throws {
        let throttle = try make("{ per: data.symbol, interval: 1s }")
        let emitted = Emitted()
        throttle.start(emitted.context())
        defer { throttle.stop() }
        let passed = feed(throttle, [quote("ACME", 1), quote("GLOBEX", 2), quote("ACME", 3), quote("INITECH", 4), quote("GLOBEX", 5)])
        #expect(passed.isEmpty)
        let (events, _) = throttle.takePending()
        #expect(events == [quote("ACME", 3), quote("GLOBEX", 5), quote("INITECH", 4)])
    }

    @Test func aKeyThatReceivedNothingInAnIntervalSendsNothing() throws {
        let throttle = try make("{ per: data.symbol }")
        _ = feed(throttle, [quote("ACME", 1), quote("GLOBEX", 2)])
        #expect(throttle.takePending().0 == [quote("ACME", 1), quote("GLOBEX", 2)])
        #expect(throttle.takePending().0.isEmpty)
        _ = feed(throttle, [quote("GLOBEX", 3)])
        #expect(throttle.takePending().0 == [quote("GLOBEX", 3)])
        #expect(throttle.takePending().0.isEmpty)
    }

    @Test func withoutPerEveryEventSharesOneKey() throws {
        let throttle = try make("{ interval: 250ms }")
        _ = feed(throttle, [Event(data: "a"), Event(data: "not json"), Event(id: "x", event: "other", data: "c")])
        #expect(throttle.takePending().0 == [Event(id: "x", event: "other", data: "c")])
    }

    @Test func eventsWithoutTheKeyPassAtOnceAndAreNotHeld() throws {
        let throttle = try make("{ per: data.symbol }")
        let keyless = [Event(data: "not json"), Event(data: #"{"price":1}"#), Event(data: "[1,2]")]
        let passed = feed(throttle, [quote("ACME", 1)] + keyless + [quote("ACME", 2)])
        #expect(passed == keyless)
        #expect(throttle.takePending().0 == [quote("ACME", 2)])
    }

    @Test func perIdConflatesByIdAndPassesEventsWithoutOne() throws {
        let throttle = try make("{ per: id }")
        let passed = feed(throttle, [Event(id: "1", data: "a"), Event(data: "b"), Event(id: "1", data: "c"), Event(id: "2", data: "d")])
        #expect(passed == [Event(data: "b")])
        #expect(throttle.takePending().0 == [Event(id: "1", data: "c"), Event(id: "2", data: "d")])
    }

    @Test func perEventConflatesByTypeCountingNoTypeAsMessage() throws {
        let throttle = try make("{ per: event }")
        _ = feed(throttle, [Event(data: "1"), Event(event: "quote", data: "2"), Event(event: "message", data: "3"), Event(event: "quote", data: "4")])
        #expect(throttle.takePending().0 == [Event(event: "message", data: "3"), Event(event: "quote", data: "4")])
    }

    @Test func numbersAndNestedPathsAreKeys() throws {
        let throttle = try make("{ per: 'data.items[0].id' }")
        let events = (1...6).map { Event(data: #"{"items":[{"id":\#($0 % 2)}],"n":\#($0)}"#) }
        _ = feed(throttle, events)
        #expect(throttle.takePending().0 == [events[4], events[5]])
    }

    @Test func newKeysBeyondMaxKeysPassAtOnce() throws {
        let throttle = try make("{ per: id, max_keys: 2 }")
        let passed = feed(throttle, [Event(id: "a", data: "1"), Event(id: "b", data: "2"), Event(id: "c", data: "3"), Event(id: "a", data: "4")])
        #expect(passed == [Event(id: "c", data: "3")])
        #expect(throttle.takePending().0 == [Event(id: "a", data: "4"), Event(id: "b", data: "2")])
    }

    @Test func theTimerSendsTheLatestPerKeyThroughTheContext() async throws {
        let throttle = try make("{ per: data.symbol, interval: 20ms }")
        let emitted = Emitted()
        throttle.start(emitted.context())
        defer { throttle.stop() }
        _ = feed(throttle, [quote("ACME", 1), quote("GLOBEX", 2), quote("ACME", 3)])
        // A tick may fall between two of the events; whatever the split, each key's last
        // event arrives, every event at most once, and per key in order.
        let arrived = await emitted.wait { events in events.contains(quote("ACME", 3)) && events.contains(quote("GLOBEX", 2)) }
        #expect(arrived)
        let events = emitted.all
        #expect(Set(events).count == events.count)
        #expect(events.filter { $0.data.contains("ACME") }.last == quote("ACME", 3))
        #expect(events.allSatisfy { [quote("ACME", 1), quote("GLOBEX", 2), quote("ACME", 3)].contains($0) })

        // Later ticks send nothing when nothing new arrived, then the next event once.
        let before = emitted.all.count
        try await Task.sleep(for: .milliseconds(100))
        #expect(emitted.all.count == before)
        _ = feed(throttle, [quote("GLOBEX", 9)])
        #expect(await emitted.wait { $0.last == quote("GLOBEX", 9) })
        try await Task.sleep(for: .milliseconds(60))
        #expect(emitted.all.count == before + 1)
    }

    @Test func stopCancelsTheTimerAndDiscardsWhatIsHeld() async throws {
        let throttle = try make("{ interval: 10ms }")
        let emitted = Emitted()
        throttle.start(emitted.context())
        throttle.stop()
        _ = feed(throttle, [Event(data: "late")])
        try await Task.sleep(for: .milliseconds(60))
        #expect(emitted.all.isEmpty)
    }

    @Test func theSummaryNamesTheKeyAndTheInterval() throws {
        func summary(_ yaml: String) throws -> String { try ThrottleTransform.plugin.prepare(yaml: yaml).get().summary }
        #expect(try summary("{ per: data.symbol, interval: 1s }") == "throttle per data.symbol, latest every 1s")
        #expect(try summary("interval: 250ms") == "throttle, latest every 250ms")
    }

    @Test func badOptionsAreReportedWithPositions() {
        guard case .failure(let errors) = ThrottleTransform.plugin.prepare(yaml: "per: symbol\ninterval: soon\nmax_keys: 0\nevery: 1s\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(
            errors.problems.map(\.description) == [
                "test.yaml:1:6: 'per' must be id, event or data.PATH (like data.symbol), found 'symbol'. Did you mean 'data.symbol'?",
                "test.yaml:2:11: 'interval' must be a duration like 250ms, 5s, 1m or 2h, found 'soon'",
                "test.yaml:3:11: 'max_keys' must be between 1 and 10000000, found 0",
                "test.yaml:4:1: unknown key 'every' in 'throttle'.",
            ])
    }

    @Test(arguments: ["per: data.", "per: 'data.a[x]'", "per: [id]", "interval: 0", "per: ids"])
    func malformedKeysAndIntervalsAreRefused(_ yaml: String) {
        guard case .failure(let errors) = ThrottleTransform.plugin.prepare(yaml: yaml) else {
            Issue.record("expected a failure for \(yaml)")
            return
        }
        #expect(errors.problems.count == 1)
        #expect(errors.problems.allSatisfy { $0.location.line == 1 && $0.location.column > 1 })
    }
}
