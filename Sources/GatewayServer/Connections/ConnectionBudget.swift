import Logging
import NIOConcurrencyHelpers

/// How many connections the gateway holds at once, sized from its open-file limit so that
/// accepting never runs the process out of descriptors.
///
/// The limit is split three ways:
/// - **connections**: served normally, up to ``capacity``;
/// - **overflow**: a few more, each answered once and closed — a health check, `/metrics`,
///   or a `503` with `Retry-After` for a stream — so an operator can still see a full gateway;
/// - **reserve**: descriptors never used for connections, kept for upstreams, child processes,
///   log files and the runtime's own threads. Past the overflow a connection is closed as soon
///   as it is accepted, before anything is read.
///
/// Reaching the limit starts an *episode*, logged once when it starts and once when open
/// connections fall back below 90 % of capacity, with the number over the budget meanwhile;
/// every refusal (closed at once, or a stream answered `503`) is counted in
/// `gateway_connections_refused_total`.
final class ConnectionBudget: Sendable {
    /// What an accepted connection may do.
    enum Admission: Equatable, Sendable {
        /// Served normally.
        case admitted
        /// Answered once and closed.
        case overflow
        /// Closed at once.
        case refused
    }

    /// Connections served normally at once.
    let capacity: Int
    /// Connections beyond ``capacity`` that are answered once and closed.
    let overflow: Int
    /// The open-file limit the budget was sized from.
    let openFileLimit: Int

    private let state = NIOLockedValueBox(State())
    private let metrics: GatewayMetrics
    private let logger: Logger

    private struct State {
        var open = 0
        var overflowing = 0
        var inEpisode = false
        var refusedInEpisode = 0
    }

    /// A budget for a process that may open `openFileLimit` descriptors, `reserved` of them kept
    /// for everything that is not a connection.
    init(openFileLimit: Int, reserved: Int, metrics: GatewayMetrics, logger: Logger) {
        self.openFileLimit = openFileLimit
        let usable = max(2, openFileLimit - reserved)
        self.overflow = max(1, min(64, usable / 16))
        self.capacity = usable - overflow
        self.metrics = metrics
        self.logger = logger
        // The series exist from start-up, at zero.
        for reason in ["fd_limit", "accept_error"] { metrics.connectionRefused(reason, count: 0) }
    }

    /// The descriptors a gateway keeps for itself beyond its connections: its event loops
    /// (epoll, eventfd and timerfd each), a socket or pipes per source, files it opens, and the
    /// runtime's threads — with room to spare, since running out is fatal and a spare
    /// descriptor costs nothing.
    static func reserve(openFileLimit: Int, eventLoops: Int, sources: Int) -> Int {
        let fixed = 64 + 4 * eventLoops + 4 * sources
        return min(openFileLimit / 2, max(fixed, openFileLimit / 50))
    }

    /// Takes a place for a connection that was just accepted.
    func admit() -> Admission {
        let (admission, startsEpisode) = state.withLockedValue { state -> (Admission, Bool) in
            if state.open < capacity {
                state.open += 1
                return (.admitted, false)
            }
            let startsEpisode = !state.inEpisode
            state.inEpisode = true
            state.refusedInEpisode += 1
            if state.overflowing < overflow {
                state.overflowing += 1
                return (.overflow, startsEpisode)
            }
            return (.refused, startsEpisode)
        }
        // An overflow connection counts once it is refused a stream (``refusedStream()``): a
        // health check answered over the budget is served, not refused.
        if admission == .refused { metrics.connectionRefused("fd_limit") }
        if startsEpisode {
            logger.warning(
                "connection limit reached: refusing new connections until some close",
                metadata: ["connections": "\(capacity)", "open_file_limit": "\(openFileLimit)"])
        }
        return admission
    }

    /// Gives back the place an ``admit()`` took (not called for `.refused`).
    func release(_ admission: Admission) {
        let endedEpisode = state.withLockedValue { state -> Int? in
            switch admission {
            case .admitted: state.open -= 1
            case .overflow: state.overflowing -= 1
            case .refused: return nil
            }
            guard state.inEpisode, state.open < capacity * 9 / 10, state.overflowing == 0 else { return nil }
            state.inEpisode = false
            defer { state.refusedInEpisode = 0 }
            return state.refusedInEpisode
        }
        if let refused = endedEpisode {
            logger.notice("connections below the limit again", metadata: ["over_budget": "\(refused)"])
        }
    }

    /// Notes that an overflow connection asked for a stream and was answered `503`.
    func refusedStream() {
        metrics.connectionRefused("fd_limit")
    }

    /// Notes that `accept(2)` failed (out of descriptors despite the reserve, or another error):
    /// counted each time, logged once per episode; the listener backs off meanwhile.
    func acceptFailed(_ error: any Error) {
        metrics.connectionRefused("accept_error")
        let startsEpisode = state.withLockedValue { state -> Bool in
            defer { state.inEpisode = true }
            return !state.inEpisode
        }
        if startsEpisode {
            logger.warning("cannot accept connections; backing off", metadata: ["error": "\(error)"])
        }
    }

    /// Connections served normally now.
    var open: Int { state.withLockedValue { $0.open } }
}
