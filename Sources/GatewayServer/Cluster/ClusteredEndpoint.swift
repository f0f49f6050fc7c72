import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A `log: cluster` endpoint's part in the cluster (SPEC §5), as a service: it opens the
/// endpoint's stream, follows it into the instance's log (every instance serves), and holds the
/// endpoint's lease to run its sources (one instance at a time publishes).
///
/// Every `lease / 3` it asks the engine for the lease. Taking it: read the stream's last event
/// (its sequence fences the publisher; its source id is where an `sse` upstream resumes), start
/// publishing, open the sources' gates. Losing it (another instance holds it, or wrote to the
/// stream): close the gates and drop what was not stored. While the engine is unreachable a
/// holder keeps going (its outbox fills, within `cluster.outbox`) and a follower waits. At a
/// clean stop: sources stop first (the group stops them before this), what they sent is
/// published within a few seconds, and the lease is released so another instance takes over
/// at once.
final class ClusteredEndpoint: Service, Sendable {
    /// How long a stopping holder waits for its outbox to reach the engine.
    static let drainOnStop: Duration = .seconds(5)

    let endpoint: EndpointStream
    let log: ClusterLog
    private let spec: ClusterStreamSpec
    private let engine: any ClusterEngine
    private let lease: any ClusterLease
    private let renewEvery: Duration
    private let publisher: ClusterPublisher
    private let gates: [SourceGate]
    private let budget: OutboxBudget
    private let metrics: ClusterMetrics.Endpoint
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var stream: (any ClusterStream)?
        var holding = false
        var pausedForOutbox = false
        var subscription: (any ClusterSubscription)?
    }

    init(
        endpoint: EndpointStream, log: ClusterLog, spec: ClusterStreamSpec, settings: ClusterSettings,
        publisher: ClusterPublisher, gates: [SourceGate], budget: OutboxBudget, metrics: ClusterMetrics.Endpoint, logger: Logger
    ) {
        self.endpoint = endpoint
        self.log = log
        self.spec = spec
        self.engine = settings.engine
        self.lease = settings.engine.lease(named: spec.endpoint, ttl: settings.lease)
        self.renewEvery = settings.lease / 3
        self.publisher = publisher
        self.gates = gates
        self.budget = budget
        self.metrics = metrics
        self.logger = logger
        metrics.leaseHeld.record(0)
    }

    /// Whether this instance runs the endpoint's sources now.
    var isHolding: Bool { state.withLockedValue { $0.holding } }

    /// What the dashboard shows of it.
    var status: ClusterStatus {
        let (stream, holding) = state.withLockedValue { ($0.stream?.name, $0.holding) }
        return ClusterStatus(stream: stream, holdsLease: holding, connected: engine.isConnected)
    }

    func run() async {
        budget.onPressure { [weak self] paused in self?.outboxPressure(paused: paused) }
        await cancelWhenGracefulShutdown {
            guard await self.openAndFollow() else { return }
            while !Task.isCancelled {
                await self.renew()
                try? await Task.sleep(for: self.renewEvery)
            }
        }
        await stop()
    }

    /// Called by the publisher when another instance wrote to the stream.
    func fenced() {
        Task { await self.letGo(reason: "another instance wrote to the stream") }
    }

    // MARK: Stream

    /// Opens the stream (waiting for the engine as long as it takes) and follows it from the
    /// cache's worth of newest events. Returns `false` when cancelled first.
    private func openAndFollow() async -> Bool {
        var delay: Duration = .milliseconds(250)
        while !Task.isCancelled {
            do {
                let stream = try await engine.openStream(spec)
                let bounds = try await stream.bounds()
                let cacheSize = UInt64(max(1, log.cacheEvents))
                // A snapshot is the latest event per key of the whole stream: read it all.
                let start =
                    endpoint.snapshotKey != nil
                    ? bounds.first : max(bounds.first, bounds.last >= cacheSize ? bounds.last - cacheSize + 1 : 1)
                log.open(stream: stream, floor: start - 1)
                let epoch = stream.epoch
                let subscription = try stream.follow(from: start) { [endpoint] messages in
                    endpoint.deliver(messages, epoch: epoch)
                }
                state.withLockedValue {
                    $0.stream = stream
                    $0.subscription = subscription
                }
                logger.info(
                    "cluster stream open",
                    metadata: [
                        "stream": "\(stream.name)", "epoch": "\(epoch)", "first": "\(bounds.first)", "last": "\(bounds.last)",
                        "following_from": "\(start)",
                    ])
                return true
            } catch {
                logger.warning(
                    "cannot open the cluster stream; retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        return false
    }

    // MARK: Lease

    private func renew() async {
        let held: Bool
        do {
            held = try await lease.hold()
        } catch {
            // Unreachable: a holder keeps running (and keeps what it cannot publish); a follower waits.
            logger.debug("cannot reach the engine for the lease", metadata: ["error": "\(error)"])
            return
        }
        let (holding, stream) = state.withLockedValue { ($0.holding, $0.stream) }
        if held && !holding, let stream {
            await take(stream)
        } else if !held && holding {
            await letGo(reason: "another instance holds the lease")
        }
    }

    private func take(_ stream: any ClusterStream) async {
        let last: StoredMessage?
        let bounds: StreamBounds
        do {
            bounds = try await stream.bounds()
            last = bounds.last >= bounds.first ? try await stream.read(from: bounds.last, channels: [], limit: 1).first : nil
        } catch {
            logger.warning("took the lease but cannot read the stream; trying again", metadata: ["error": "\(error)"])
            return
        }
        publisher.start(stream: stream, last: bounds.last)
        let paused = state.withLockedValue { state -> Bool in
            state.holding = true
            return state.pausedForOutbox
        }
        metrics.leaseHeld.record(1)
        // An upstream id names a place in one upstream: it is handed over only when there is one source.
        let resumeFrom = gates.count == 1 ? last?.sourceID : nil
        logger.info(
            "took the lease: this instance runs the endpoint's sources",
            metadata: ["last_sequence": "\(bounds.last)", "resume_from": "\(resumeFrom ?? "")"])
        if !paused { for gate in gates { gate.open(resumeFrom: resumeFrom) } }
    }

    private func letGo(reason: String) async {
        let wasHolding = state.withLockedValue { state -> Bool in
            defer { state.holding = false }
            return state.holding
        }
        guard wasHolding else { return }
        for gate in gates { gate.close() }
        let dropped = await publisher.stop()
        metrics.leaseHeld.record(0)
        logger.warning(
            "lost the lease: this instance no longer runs the endpoint's sources",
            metadata: ["reason": "\(reason)", "unpublished_dropped": "\(dropped)"])
    }

    private func outboxPressure(paused: Bool) {
        let holding = state.withLockedValue { state -> Bool in
            state.pausedForOutbox = paused
            return state.holding
        }
        guard holding else { return }
        if paused {
            logger.warning("cluster outbox full: pausing the endpoint's sources until the engine stores what is kept")
            for gate in gates { gate.close() }
        } else {
            Task {
                let resumeFrom = gates.count == 1 ? await publisher.newestSourceIDTaken() : nil
                // The lease may have gone (or the outbox filled again) meanwhile.
                guard state.withLockedValue({ $0.holding && !$0.pausedForOutbox }) else { return }
                logger.info("cluster outbox has room again: running the endpoint's sources")
                for gate in gates { gate.open(resumeFrom: resumeFrom) }
            }
        }
    }

    // MARK: Stop

    private func stop() async {
        let holding = state.withLockedValue { $0.holding }
        for gate in gates {
            gate.close()
            gate.finish()
        }
        if holding {
            // The sources have stopped and the endpoint has run what they sent: publish it.
            try? await endpoint.afterPublishing().get()
            if !(await publisher.drained(within: Self.drainOnStop)) {
                logger.warning("stopping with events the engine has not stored; the next holder reads them from the upstream again")
            }
            await publisher.stop()
            await lease.release()
            metrics.leaseHeld.record(0)
            logger.info("released the lease")
        }
        state.withLockedValue { state in
            state.subscription?.cancel()
            state.subscription = nil
            state.holding = false
        }
    }
}
