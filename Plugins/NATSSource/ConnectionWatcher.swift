import GatewayPlugin
import Logging
import NATS
import NIOConcurrencyHelpers

/// Reports what happens to a source's NATS connection: a loss is a reconnect (counted and
/// logged), and the source is ready once it is subscribed while connected.
///
/// The connection's events come on libnats threads; nothing here waits.
final class ConnectionWatcher: Sendable {
    let output: SourceOutput
    let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let errorWarnings = WarningLimiter(interval: .seconds(10))

    private struct State {
        var subscribed = false
        var stopped = false
    }

    init(output: SourceOutput, logger: Logger) {
        self.output = output
        self.logger = logger
    }

    /// Says the source is subscribed; it is ready now if `isConnected`, or on the next connection.
    func markSubscribed(isConnected: Bool) {
        state.withLockedValue { $0.subscribed = true }
        if isConnected { output.markReady() }
    }

    /// Ignores the connection's events from now on: the source is closing it.
    func stop() {
        state.withLockedValue { $0.stopped = true }
    }

    /// Takes one event of the connection.
    func handle(_ event: NATSConnectionEvent) {
        let (subscribed, stopped) = state.withLockedValue { ($0.subscribed, $0.stopped) }
        guard !stopped else { return }
        switch event {
        case .connected:
            logger.info("connected to NATS")
            if subscribed { output.markReady() }
        case .disconnected:
            output.reconnecting(reason: "disconnected")
            logger.warning("NATS connection lost; reconnecting")
        case .reconnected:
            logger.info("NATS connection back; subscriptions resumed")
            if subscribed { output.markReady() }
        case .closed:
            logger.debug("NATS connection closed")
        case .error(let text):
            warn("NATS reported an error", ["nats.error": "\(text)"])
        }
    }

    /// A stream's consumer could not be made, or was replaced: counted as a reconnect.
    func consumerFailed(_ error: NATSError, stream: String) {
        let reason = error.isStreamNotFound ? "stream_not_found" : error.isUnreachable ? "unreachable" : "consumer"
        output.reconnecting(reason: reason)
        let message: Logger.Message =
            error.isStreamNotFound ? "the JetStream stream does not exist (yet); waiting for it" : "JetStream consumer trouble; retrying"
        warn(message, ["nats.stream": "\(stream)", "nats.error": "\(error)"])
    }

    /// Logs a warning at most once per 10 s, saying how many were not logged.
    func warn(_ message: Logger.Message, _ metadata: Logger.Metadata) {
        guard let held = errorWarnings.admit() else { return }
        var metadata = metadata
        if held > 0 { metadata["warnings_not_logged"] = "\(held)" }
        logger.warning(message, metadata: metadata)
    }
}
