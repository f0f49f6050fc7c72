import NIOCore

/// A repeating timer on an endpoint's executor, for transforms that emit on a schedule.
///
/// Tick n fires at start + n × interval, so the time each tick takes does not make the
/// schedule drift; after a stall (a suspended process, a long batch) the missed ticks are
/// skipped rather than fired back to back. Confined to its loop: started, fired and stopped
/// there, so a tick runs serialised with the endpoint's pipeline. Time is the loop's own clock
/// (`loop.now`), so a test's embedded loop steps it.
final class Ticker: @unchecked Sendable {
    private let loop: any EventLoop
    private let interval: TimeAmount
    private let tick: @Sendable () -> Void
    private var next: Scheduled<Void>?
    private var stopped = false

    init(loop: any EventLoop, interval: TimeAmount, tick: @escaping @Sendable () -> Void) {
        self.loop = loop
        self.interval = interval
        self.tick = tick
    }

    /// Schedules the first tick one interval from now.
    func start() {
        loop.preconditionInEventLoop()
        schedule(at: loop.now + interval)
    }

    /// No tick fires after this.
    func stop() {
        loop.preconditionInEventLoop()
        stopped = true
        next?.cancel()
        next = nil
    }

    private func schedule(at deadline: NIODeadline) {
        guard !stopped else { return }
        next = loop.scheduleTask(deadline: deadline) { [self] in
            guard !stopped else { return }
            tick()
            let now = loop.now
            let following = deadline + interval
            schedule(at: following > now ? following : now + interval)
        }
    }
}
