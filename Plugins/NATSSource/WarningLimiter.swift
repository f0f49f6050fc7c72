import NIOConcurrencyHelpers

/// Lets a repeated warning through at most once per interval and counts the ones held back, so a
/// publisher that sends thousands of bad messages a second costs one log line a second (each
/// message is still counted in the metrics). Thread-safe: libnats threads call it.
final class WarningLimiter: Sendable {
    private let interval: Duration
    private let state = NIOLockedValueBox(State())

    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var held = 0
    }

    init(interval: Duration = .seconds(1)) { self.interval = interval }

    /// Whether to log now; when yes, how many warnings were held back since the last one.
    func admit(at now: ContinuousClock.Instant = .now) -> Int? {
        state.withLockedValue { state in
            if let last = state.lastLogged, now - last < interval {
                state.held += 1
                return nil
            }
            state.lastLogged = now
            defer { state.held = 0 }
            return state.held
        }
    }
}
