import GatewayConfig
import GatewayPlugin
import Logging
import NIOConcurrencyHelpers

/// A configured source wired to the endpoints that read it.
///
/// Its ``output`` is what the source plugin calls: events go to each endpoint in turn, on the
/// source's own task; readiness, drops and reconnects become metrics and logs here, so
/// plugins carry no metrics code.
final class RunningSource: Sendable {
    let config: SourceConfig
    let endpoints: [EndpointStream]
    let metrics: SourceMetrics
    let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var ready = false
        var events: UInt64 = 0
    }

    init(config: SourceConfig, endpoints: [EndpointStream], metrics: SourceMetrics, logger: Logger) {
        self.config = config
        self.endpoints = endpoints
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "source"] = "\(config.name)"
        self.logger = logger
    }

    /// Whether the source has connected or delivered at least once.
    var isReady: Bool { state.withLockedValue { $0.ready } }

    /// Events received so far.
    var eventCount: UInt64 { state.withLockedValue { $0.events } }

    /// The context handed to the plugin's `run`.
    var context: SourceContext {
        SourceContext(name: config.name, logger: logger, maxEventSize: config.maxEventSize, output: output)
    }

    private var output: SourceOutput {
        SourceOutput(
            emit: { [self] events in
                metrics.events.increment(by: events.count)
                let becameReady = state.withLockedValue { state in
                    state.events += UInt64(events.count)
                    defer { state.ready = true }
                    return !state.ready
                }
                if becameReady { logger.info("source ready") }
                for endpoint in endpoints { endpoint.ingest(events) }
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

    /// Runs the plugin until it finishes or the task is cancelled.
    /// - Returns: whether the source asks the gateway to stop.
    func run() async -> Bool {
        logger.debug("source starting", metadata: ["type": "\(config.type)"])
        do {
            let completion = try await config.source.run(context)
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
