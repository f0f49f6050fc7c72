import CoreMetrics
import NIOConcurrencyHelpers

/// The bytes lease holders keep that the engine has not yet stored, across all of a gateway's
/// clustered endpoints (`cluster.outbox`).
///
/// Over the limit, the holders pause their sources; once what is kept falls to half of it, they
/// run them again (resuming an `sse` upstream from the last event kept). Thread-safe.
final class OutboxBudget: Sendable {
    /// The limit in bytes.
    let limit: Int
    private let state = NIOLockedValueBox(State())
    private let gauge: Gauge?

    private struct State {
        var bytes = 0
        var paused = false
        var listeners: [@Sendable (_ paused: Bool) -> Void] = []
    }

    init(limit: Int, gauge: Gauge? = nil) {
        self.limit = max(1, limit)
        self.gauge = gauge
    }

    /// Calls `listener` each time the holders must pause (`true`) or may run again (`false`).
    func onPressure(_ listener: @escaping @Sendable (_ paused: Bool) -> Void) {
        state.withLockedValue { $0.listeners.append(listener) }
    }

    /// Bytes now kept.
    var bytes: Int { state.withLockedValue { $0.bytes } }

    /// Whether the holders are paused now.
    var isPaused: Bool { state.withLockedValue { $0.paused } }

    /// Counts `delta` bytes more (or fewer, when negative) and tells the listeners of a change.
    func add(_ delta: Int) {
        guard delta != 0 else { return }
        let (bytes, changed, listeners) = state.withLockedValue { state -> (Int, Bool?, [@Sendable (Bool) -> Void]) in
            state.bytes += delta
            var changed: Bool?
            if !state.paused && state.bytes > limit {
                state.paused = true
                changed = true
            } else if state.paused && state.bytes <= limit / 2 {
                state.paused = false
                changed = false
            }
            return (state.bytes, changed, changed == nil ? [] : state.listeners)
        }
        gauge?.record(bytes)
        if let changed { for listener in listeners { listener(changed) } }
    }
}
