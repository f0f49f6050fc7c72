import GatewayPlugin
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A configured source wired to the endpoints that read it, run as a service.
///
/// Its ``output`` is what the source plugin calls: each batch is handed to every endpoint
/// that reads the source (a queue onto the endpoint's executor: nothing of an endpoint runs
/// on the source's thread); readiness, drops and reconnects become metrics and logs here, so
/// plugins carry no metrics code.
final class RunningSource: Service, Sendable {
    let config: SourceSettings
    let metrics: SourceMetrics
    let logger: Logger
    private let stopRequest: StopRequest
    /// For a source of a `log: cluster` endpoint: when it may run (see ``SourceGate``).
    let gate: SourceGate?
    /// For a push source of a `log: cluster` endpoint: takes the publishes other instances
    /// forward while the source runs here (see ``PushRelay``).
    let relay: PushRelay?
    private let state = NIOLockedValueBox(State())

    private struct State {
        var ready = false
        var events: UInt64 = 0
        /// The endpoints that read the source; a reload may change them (SPEC §8).
        var endpoints: [EndpointStream] = []
    }

    init(
        config: SourceSettings, endpoints: [EndpointStream], metrics: SourceMetrics, stopRequest: StopRequest, gate: SourceGate? = nil,
        relay: PushRelay? = nil, logger: Logger
    ) {
        self.config = config
        self.gate = gate
        self.relay = relay
        self.stopRequest = stopRequest
        state.withLockedValue { $0.endpoints = endpoints }
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "source"] = "\(config.name)"
        self.logger = logger
    }

    /// Whether the source has connected or delivered at least once.
    var isReady: Bool { state.withLockedValue { $0.ready } }

    /// The endpoints that read the source.
    var endpoints: [EndpointStream] { state.withLockedValue { $0.endpoints } }

    /// Feeds the source's next batches to `endpoints` instead (a reload added or removed one).
    func setEndpoints(_ endpoints: [EndpointStream]) {
        state.withLockedValue { $0.endpoints = endpoints }
    }

    /// Events received so far.
    var eventCount: UInt64 { state.withLockedValue { $0.events } }

    /// The context handed to the plugin's `run`.
    func context(resumeFrom: String? = nil) -> SourceContext {
        SourceContext(name: config.name, logger: logger, maxEventSize: config.maxEventSize, output: output, resumeFrom: resumeFrom)
    }

    private var output: SourceOutput {
        SourceOutput(
            emit: { [self] events in
                metrics.events.increment(by: events.count)
                let (becameReady, endpoints) = state.withLockedValue { state in
                    state.events += UInt64(events.count)
                    defer { state.ready = true }
                    return (!state.ready, state.endpoints)
                }
                if becameReady { logger.info("source ready") }
                // One clock read per batch: the arrival every endpoint measures its delivery from.
                let arrival = NIODeadline.now()
                for endpoint in endpoints { endpoint.ingest(events, arrival: arrival) }
            },
            ready: { [self] in
                let becameReady = state.withLockedValue { state in
                    defer { state.ready = true }
                    return !state.ready
                }
                if becameReady { logger.info("source ready") }
            },
            dropped: { [self] reason, count in
                metrics.dropped(reason: reason, count: count)
                logger.warning("source dropped events", metadata: ["reason": "\(reason)", "count": "\(count)"])
            },
            reconnecting: { [self] reason in
                metrics.reconnects.increment()
                // The source logs each failure with its details (status, URL, delay); this line is for tracing.
                logger.debug("upstream reconnecting", metadata: ["reason": "\(reason)"])
            }
        )
    }

    /// Runs the plugin until it finishes or the group stops it; a source that finishes asking
    /// the gateway to stop (`on_eof: exit`) starts the group's graceful shutdown. Either way
    /// the service returns only when the group tells it to.
    func run() async {
        if let gate {
            await cancelWhenGracefulShutdown { await self.runWhileOpen(gate) }
            return
        }
        logger.debug("source starting", metadata: ["type": "\(config.type)"])
        let asksToStop = await cancelWhenGracefulShutdown { await self.runPlugin() }
        if asksToStop { await stopRequest.ask() }
        try? await gracefulShutdown()
    }

    /// A clustered endpoint's source: runs while its gate is open, until the group stops.
    private func runWhileOpen(_ gate: SourceGate) async {
        var running: Task<Bool, Never>?
        for await change in gate.changes {
            switch change {
            case .open(let resumeFrom):
                guard running == nil else { continue }
                logger.info("source starting: this instance runs the endpoint's sources", metadata: ["type": "\(config.type)"])
                running = Task { await self.runPlugin(resumeFrom: resumeFrom) }
                do {
                    try relay?.sourceStarted()
                } catch {
                    logger.error("cannot take publishes forwarded by other instances", metadata: ["error": "\(error)"])
                }
            case .closed:
                guard let task = running else { continue }
                relay?.sourceStopped()
                task.cancel()
                _ = await task.value
                running = nil
                logger.info("source stopped: this instance no longer runs the endpoint's sources")
            }
        }
        relay?.sourceStopped()
        running?.cancel()
        _ = await running?.value
    }

    /// Whether the plugin finished asking the gateway to stop.
    private func runPlugin(resumeFrom: String? = nil) async -> Bool {
        do {
            let completion = try await config.source.run(context(resumeFrom: resumeFrom))
            logger.info("source finished", metadata: ["completion": "\(completion)"])
            return completion == .stopGateway
        } catch is CancellationError {
            return false
        } catch {
            if Task.isCancelled { return false }
            logger.error("source failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}
