import GatewayPlugin
import NIOConcurrencyHelpers
import NIOCore

/// Where a ``PipelineHarness``'s transforms leave what they do outside `process`: events
/// emitted later (from a timer, or a thread of their own) and the timers they ask for.
///
/// Transforms may call their context from any thread, so this is locked; the harness takes
/// what is here on its own thread and runs it through the pipeline there, serialised with
/// every `process`, as an endpoint's executor does.
final class HarnessMailbox: Sendable {
    /// A step of one endpoint: indexes into the harness's endpoints and that pipeline's steps.
    struct Step: Hashable, Sendable {
        var endpoint: Int
        var step: Int
    }

    /// Events a step emitted, to continue from the step after it.
    struct Delivery: Sendable {
        var from: Step
        var events: [Event]
    }

    /// A timer a step asked for.
    struct Timer: Sendable {
        var owner: Step
        var tick: @Sendable () -> Void
    }

    private struct State {
        var deliveries: [Delivery] = []
        var timers: [Timer] = []
        /// Steps that have emitted at least once.
        var emitters: Set<Step> = []
        var lastEmit = NIODeadline.uptimeNanoseconds(0)
    }

    private let state = NIOLockedValueBox(State())

    /// Records events `step` emitted. Any thread.
    func emit(_ events: [Event], from step: Step) {
        let now = NIODeadline.now()
        state.withLockedValue { state in
            state.deliveries.append(Delivery(from: step, events: events))
            state.emitters.insert(step)
            state.lastEmit = now
        }
    }

    /// Records a timer `step` asked for. Any thread.
    func addTimer(_ tick: @escaping @Sendable () -> Void, for step: Step) {
        state.withLockedValue { $0.timers.append(Timer(owner: step, tick: tick)) }
    }

    /// The deliveries not taken yet, oldest first.
    func takeDeliveries() -> [Delivery] {
        state.withLockedValue { state in
            defer { state.deliveries.removeAll() }
            return state.deliveries
        }
    }

    /// Every timer asked for so far, in the order asked.
    var timers: [Timer] { state.withLockedValue { $0.timers } }

    /// Whether `step` has emitted anything yet.
    func hasEmitted(_ step: Step) -> Bool { state.withLockedValue { $0.emitters.contains(step) } }

    /// When any step last emitted (the start of uptime before the first).
    var lastEmit: NIODeadline { state.withLockedValue { $0.lastEmit } }
}
