import GatewayPlugin

/// An endpoint's transforms, run in order on one event at a time.
///
/// This is the one place pipelines are instrumented: the caller learns how many events each
/// step dropped, so transform authors write no metrics code. Not thread-safe: its endpoint
/// runs it under its lock.
final class Pipeline {
    /// One transform instance and the name it was configured under.
    struct Step {
        let name: String
        let transform: any Transform
    }

    let steps: [Step]

    init(steps: [Step]) {
        self.steps = steps
    }

    /// Runs `event` through the steps from `start` on, appending what comes out to `output`.
    /// - Parameter dropped: called with a step's name when that step kept nothing of an event.
    func run(_ event: Event, from start: Int = 0, into output: inout [Event], dropped: (String) -> Void) {
        if start >= steps.count {
            output.append(event)
            return
        }
        var current = [event]
        for index in start..<steps.count {
            var next: [Event] = []
            let step = steps[index]
            for item in current {
                let before = next.count
                step.transform.process(item, into: &next)
                if next.count == before { dropped(step.name) }
            }
            if next.isEmpty { return }
            current = next
        }
        output.append(contentsOf: current)
    }
}
