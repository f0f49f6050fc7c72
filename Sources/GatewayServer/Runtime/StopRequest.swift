import NIOConcurrencyHelpers
import ServiceLifecycle

/// How a source ends the gateway (`on_eof: exit`): it asks, and the service group shuts down
/// gracefully, in its order, with the time clients need to take the last event.
///
/// Services never end on their own: each returns when the group tells it to. A source that
/// asks to stop therefore does not return early (which the group would take as a failure
/// during a shutdown already under way); it triggers the group's graceful shutdown and waits
/// for its turn like every other service.
final class StopRequest: Sendable {
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// Weak: the group's services hold this request, and whoever runs the group keeps it.
        weak var group: ServiceGroup?
        var asked = false
    }

    /// The group to shut down; set once it is built.
    func attach(_ group: ServiceGroup) {
        state.withLockedValue { $0.group = group }
    }

    /// Whether a source asked the gateway to stop (rather than a signal).
    var wasAsked: Bool { state.withLockedValue { $0.asked } }

    /// Shuts the group down gracefully.
    func ask() async {
        let group = state.withLockedValue { state in
            state.asked = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }
}
