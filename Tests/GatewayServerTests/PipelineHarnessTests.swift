import Foundation
import GatewayPlugin
import GatewayServer
import TestSupport
import Testing

/// Passes the first event of each data, drops repeats: state that must not outlive a harness.
private final class FirstOnly: Transform {
    var seen: Set<String> = []
    func process(_ event: Event, into output: inout [Event]) {
        if seen.insert(event.data).inserted { output.append(event) }
    }
}

/// Renames every event to `upper` with its data uppercased.
private final class Upper: Transform {
    func process(_ event: Event, into output: inout [Event]) {
        output.append(Event(id: event.id, event: "upper", data: event.data.uppercased()))
    }
}

/// Holds events and sends them all on its timer, as a throttle does; records its stop.
private final class Batcher: Transform, @unchecked Sendable {
    private let held = Locked<[Event]>([])
    private let context = Locked<TransformContext?>(nil)
    let stopped: Locked<Bool>

    init(stopped: Locked<Bool>) { self.stopped = stopped }

    func process(_ event: Event, into output: inout [Event]) { held.withLock { $0.append(event) } }
    var holdsEvents: Bool { true }

    func start(_ context: TransformContext) {
        self.context.withLock { $0 = context }
        context.repeatEvery(.seconds(60)) { [self] in
            let events = held.withLock { held in
                defer { held.removeAll() }
                return held
            }
            let batch = Event(event: "batch", data: events.map(\.data).joined(separator: ","))
            self.context.withLock { $0 }?.emit([batch])
        }
    }

    func stop() { stopped.withLock { $0 = true } }
}

/// Answers each event from a thread of its own, a little later, as `exec` does.
private final class LateEcho: Transform, @unchecked Sendable {
    private let context = Locked<TransformContext?>(nil)

    func process(_ event: Event, into output: inout [Event]) {
        let context = self.context.withLock { $0 }
        Thread.detachNewThread {
            usleep(50_000)
            context?.emit([Event(event: "echo", data: event.data)])
        }
    }
    var holdsEvents: Bool { true }
    func start(_ context: TransformContext) { self.context.withLock { $0 = context } }
}

private func step(_ name: String, _ make: @escaping @Sendable () -> any Transform) -> EndpointSettings.Step {
    EndpointSettings.Step(name: name, factory: TransformFactory(summary: name, make: make))
}

@Suite struct PipelineHarnessTests {
    @Test func eachEndpointPublishesItsPipelinesOutputNumberedFromOne() {
        let harness = PipelineHarness(
            endpoints: [
                EndpointSettings(path: "/raw", sources: ["a"]),
                EndpointSettings(path: "/upper", sources: ["a"], pipeline: [step("upper") { Upper() }]),
                EndpointSettings(path: "/b", sources: ["b"]),
            ], epoch: 7)
        harness.feed([Event(event: "tick", data: "x"), Event(data: "y")], from: "a")
        let published = harness.finish()
        #expect(
            published["/raw"] == [EmittedEvent(id: "7-1", type: "tick", data: "x"), EmittedEvent(id: "7-2", type: "message", data: "y")])
        #expect(published["/upper"] == [EmittedEvent(id: "7-1", type: "upper", data: "X"), EmittedEvent(id: "7-2", type: "upper", data: "Y")])
        #expect(published["/b"] == [], "an endpoint that does not read the source publishes nothing, and is listed")
    }

    @Test func idsSourceKeepsEachEventsOwnIdOrNone() {
        let harness = PipelineHarness(endpoints: [EndpointSettings(path: "/feed", sources: ["a"], ids: .source)])
        harness.feed([Event(id: "41", data: "x"), Event(data: "y")], from: "a")
        #expect(harness.finish()["/feed"] == [EmittedEvent(id: "41", data: "x"), EmittedEvent(id: nil, data: "y")])
    }

    @Test func aChannelEndpointNamesEachEventsChannelAndDropsEventsWithoutOne() {
        let channel = ChannelSettings(key: EventField("data.customer")!)
        let harness = PipelineHarness(endpoints: [EndpointSettings(path: "/orders/{customer}", sources: ["orders"], channel: channel)])
        harness.feed(
            [Event(data: #"{"customer":"alice"}"#), Event(data: #"{"total":1}"#), Event(data: #"{"customer":7}"#)], from: "orders")
        #expect(
            harness.finish()["/orders/{customer}"] == [
                EmittedEvent(id: "0-1", data: #"{"customer":"alice"}"#, channel: "alice"),
                EmittedEvent(id: "0-2", data: #"{"customer":7}"#, channel: "7"),
            ], "the event with no channel is dropped before it is numbered")
    }

    @Test func eachHarnessStartsFromNewTransforms() {
        let endpoints = [EndpointSettings(path: "/once", sources: ["a"], pipeline: [step("first") { FirstOnly() }])]
        for _ in 0..<2 {
            let harness = PipelineHarness(endpoints: endpoints)
            harness.feed([Event(data: "x"), Event(data: "x")], from: "a")
            #expect(harness.finish()["/once"]?.map(\.data) == ["x"])
        }
    }

    @Test func eachTimerFiresOnceAtTheEndAndItsEventsGoThroughTheLaterStepsThenTransformsStop() {
        let stopped = Locked(false)
        let harness = PipelineHarness(endpoints: [
            EndpointSettings(
                path: "/batches", sources: ["a"], pipeline: [step("batch") { Batcher(stopped: stopped) }, step("upper") { Upper() }])
        ])
        harness.feed([Event(data: "a")], from: "a")
        harness.feed([Event(data: "b")], from: "a")
        #expect(stopped.withLock { $0 } == false)
        #expect(harness.finish()["/batches"] == [EmittedEvent(id: "0-1", type: "upper", data: "A,B")])
        #expect(stopped.withLock { $0 })
    }

    @Test func whatAStepEmitsFromItsOwnThreadIsWaitedFor() {
        let harness = PipelineHarness(endpoints: [
            EndpointSettings(path: "/echo", sources: ["a"], pipeline: [step("echo") { LateEcho() }, step("upper") { Upper() }])
        ])
        harness.feed([Event(data: "x")], from: "a")
        let started = ContinuousClock.now
        #expect(harness.finish()["/echo"] == [EmittedEvent(id: "0-1", type: "upper", data: "X")])
        #expect(ContinuousClock.now - started < PipelineHarness.defaultAnswerTimeout, "it stopped waiting once the answer came")
    }

    @Test func aStepThatNeverAnswersIsWaitedForUntilTheTimeoutAndOnlyWhenItWasGivenEvents() {
        let endpoints = [EndpointSettings(path: "/silent", sources: ["a"], pipeline: [step("silent") { Silent() }])]
        let idle = PipelineHarness(endpoints: endpoints, answerTimeout: .seconds(5))
        var started = ContinuousClock.now
        #expect(idle.finish()["/silent"] == [])
        #expect(ContinuousClock.now - started < .seconds(1), "given nothing, it is not waited for")

        let fed = PipelineHarness(endpoints: endpoints, answerTimeout: .milliseconds(300))
        fed.feed([Event(data: "x")], from: "a")
        started = ContinuousClock.now
        #expect(fed.finish()["/silent"] == [])
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300) && waited < .seconds(3))
    }
}

/// Holds every event and never sends anything: a program that answers nothing.
private final class Silent: Transform {
    func process(_ event: Event, into output: inout [Event]) {}
    var holdsEvents: Bool { true }
}
