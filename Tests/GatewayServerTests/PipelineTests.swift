import GatewayPlugin
import Testing

@testable import GatewayServer

/// Keeps events whose data is "keep".
private final class KeepFilter: Transform {
    func process(_ event: Event, into output: inout [Event]) {
        if event.data == "keep" { output.append(event) }
    }
}

/// Holds every event to send later, as a throttle does.
private final class Holder: Transform {
    var held: [Event] = []
    func process(_ event: Event, into output: inout [Event]) { held.append(event) }
    var holdsEvents: Bool { true }
}

/// Turns one event into two.
private final class Doubler: Transform {
    func process(_ event: Event, into output: inout [Event]) {
        output.append(event)
        output.append(event)
    }
}

@Suite struct PipelineTests {
    @Test func runsStepsInOrderAndCountsWhatAStepDrops() {
        let pipeline = Pipeline(steps: [.init(name: "double", transform: Doubler()), .init(name: "filter", transform: KeepFilter())])
        var output: [Event] = []
        var drops: [Int] = []
        for data in ["keep", "drop", "keep"] {
            pipeline.run(Event(data: data), into: &output) { drops.append($0) }
        }
        #expect(output.map(\.data) == ["keep", "keep", "keep", "keep"])
        #expect(drops == [1, 1], "the second step, filter, dropped two")
    }

    @Test func aStepThatHoldsEventsIsNotCountedAsDroppingThem() {
        let holder = Holder()
        let pipeline = Pipeline(steps: [.init(name: "throttle", transform: holder)])
        var output: [Event] = []
        var drops: [Int] = []
        for data in ["a", "b"] {
            pipeline.run(Event(data: data), into: &output) { drops.append($0) }
        }
        #expect(output.isEmpty)
        #expect(drops.isEmpty)
        #expect(holder.held.map(\.data) == ["a", "b"])
    }

    @Test func eventsEmittedLaterEnterAfterTheirStep() {
        let pipeline = Pipeline(steps: [.init(name: "hold", transform: Holder()), .init(name: "filter", transform: KeepFilter())])
        var output: [Event] = []
        pipeline.run(Event(data: "keep"), from: 1, into: &output) { _ in }
        pipeline.run(Event(data: "x"), from: 2, into: &output) { _ in }
        #expect(output.map(\.data) == ["keep", "x"])
    }
}
