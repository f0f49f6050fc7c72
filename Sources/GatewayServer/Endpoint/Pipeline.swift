import GatewayPlugin

/// An endpoint's transforms, run in order on one event at a time.
///
/// This is the one place pipelines are instrumented: the caller learns how many events each
/// step dropped, so transform authors write no metrics code. Not thread-safe: its endpoint
/// runs it on its executor.
final class Pipeline {
    /// One transform instance and the name it was configured under.
    struct Step {
        let name: String
        let transform: any Transform
    }

    let steps: [Step]
    /// Per step: whether returning nothing for an event counts as a drop.
    private let countsDrops: [Bool]
    // Scratch buffers reused for every event, so running a step allocates nothing.
    private var current: [Event] = []
    private var next: [Event] = []

    init(steps: [Step]) {
        self.steps = steps
        self.countsDrops = steps.map { !$0.transform.holdsEvents }
        current.reserveCapacity(8)
        next.reserveCapacity(8)
    }

    /// Runs `event` through the steps from `start` on, appending what comes out to `output`.
    /// - Parameter dropped: called with a step's index when that step kept nothing of an event
    ///   (not for steps that hold events to send later; see `Transform.holdsEvents`).
    func run(_ event: Event, from start: Int = 0, into output: inout [Event], dropped: (Int) -> Void) {
        if start >= steps.count {
            output.append(event)
            return
        }
        current.removeAll(keepingCapacity: true)
        current.append(event)
        for index in start..<steps.count {
            next.removeAll(keepingCapacity: true)
            let step = steps[index]
            for item in current {
                let before = next.count
                step.transform.process(item, into: &next)
                if next.count == before && countsDrops[index] { dropped(index) }
            }
            swap(&current, &next)
            if current.isEmpty { return }
        }
        output.append(contentsOf: current)
    }
}
