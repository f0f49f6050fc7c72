import Dispatch
import GatewayPlugin
import Logging
import NATS
import NIOConcurrencyHelpers

extension NATSSource {
    /// Connects, subscribes (or follows the stream) and relays messages as events until the task
    /// is cancelled; then unsubscribes, closes the connection and returns ``SourceCompletion/finished``.
    public func run(_ context: SourceContext) async throws -> SourceCompletion {
        var logger = context.logger
        logger[metadataKey: "nats.url"] = "\(connection.redactedURLs.joined(separator: ","))"
        let nats: NATSConnection
        do {
            nats = try await Self.connect(NATSOptions(source: context.name, config: connection))
        } catch {
            // Not a server that is down (the connection waits for it): options libnats refuses,
            // such as a TLS file it cannot read. Retrying would not help.
            logger.error("cannot set up the NATS connection", metadata: ["nats.error": "\(error)"])
            throw error
        }
        let watcher = ConnectionWatcher(output: context.output, logger: logger)
        nats.onEvent { watcher.handle($0) }
        if !nats.isConnected { logger.warning("no NATS server answers yet; connecting in the background") }
        let relay = MessageRelay(mapping: mapping(maxEventSize: context.maxEventSize), output: context.output, logger: logger)
        switch mode {
        case .subject(let subject):
            await runSubscription(subject, nats: nats, relay: relay, watcher: watcher, logger: logger)
        case .stream(let stream, let subject, let deliver):
            await runFollower(stream, subject: subject, deliver: deliver, nats: nats, relay: relay, watcher: watcher, logger: logger)
        }
        // Closing posts `disconnected`, which is no loss to count.
        watcher.stop()
        await nats.close()
        return .finished
    }

    /// Core NATS: subscribes, then relays until cancelled.
    private func runSubscription(_ subject: String, nats: NATSConnection, relay: MessageRelay, watcher: ConnectionWatcher, logger: Logger) async {
        var retry = RetryDelay()
        var subscription: NATSBatchSubscription?
        while subscription == nil && !Task.isCancelled {
            do {
                subscription = try nats.subscribeInBatches(subject: subject, onDropped: { relay.libraryDropped($0) }) { relay.relay($0) }
            } catch {
                // The subject was checked at load: this is the connection refusing (closing).
                watcher.warn("cannot subscribe; retrying", ["nats.error": "\(error)", "retry.delay": "\(Units.describe(retry.next))"])
                await retry.sleep()
            }
        }
        guard let subscription else { return }
        logger.info("subscribed to NATS", metadata: ["nats.subject": "\(subject)"])
        // Ready once the server knows the subscription: what anyone publishes after is relayed.
        // Without a server now, the connection's next `connected` makes it ready.
        if nats.isConnected { try? await nats.flush() }
        watcher.markSubscribed(isConnected: nats.isConnected)
        await Self.waitForCancellation()
        subscription.cancel()
    }

    /// JetStream: finds where `deliver` starts, follows the stream from there, relays until
    /// cancelled.
    private func runFollower(
        _ stream: String, subject: String?, deliver: DeliverPolicy, nats: NATSConnection, relay: MessageRelay,
        watcher: ConnectionWatcher, logger: Logger
    ) async {
        var retry = RetryDelay()
        var start: (sequence: UInt64, streamExists: Bool)?
        while start == nil && !Task.isCancelled {
            do {
                start = try await Self.startSequence(of: stream, subject: subject, deliver: deliver, nats: nats)
            } catch {
                watcher.output.reconnecting(reason: error.isUnreachable ? "unreachable" : "stream_info")
                watcher.warn(
                    "cannot read the JetStream stream's state; retrying",
                    ["nats.stream": "\(stream)", "nats.error": "\(error)", "retry.delay": "\(Units.describe(retry.next))"])
                await retry.sleep()
            }
        }
        guard let start else { return }
        // A stream that does not exist yet: the follower says so (`consumerFailed`) until it does.
        let firstBatch = FirstTime()
        // Without `subject`, every message of the stream: libnats needs a filter, and the server
        // takes `>` as "all of the stream's subjects".
        let follower = nats.follow(
            stream: stream, subject: subject ?? ">", from: start.sequence,
            onError: { watcher.consumerFailed($0, stream: stream) }
        ) { batch in
            relay.relay(batch)
            if firstBatch.claim() { watcher.markSubscribed(isConnected: true) }
        }
        logger.info(
            "following the JetStream stream",
            metadata: [
                "nats.stream": "\(stream)", "nats.subject": "\(subject ?? ">")", "deliver": "\(deliver.rawValue)", "from": "\(start.sequence)",
            ])
        if start.streamExists { watcher.markSubscribed(isConnected: nats.isConnected) }
        await Self.waitForCancellation()
        follower.cancel()
    }

    /// Where a reader of `stream` starts under `deliver`; whether the stream exists now.
    static func startSequence(
        of stream: String, subject: String?, deliver: DeliverPolicy, nats: NATSConnection
    ) async throws(NATSError) -> (sequence: UInt64, streamExists: Bool) {
        // A stream that does not exist yet is followed from its beginning, whatever the policy:
        // all that comes once it is made is new.
        guard let info = try await nats.streamInfo(stream) else { return (1, false) }
        var lastMatching: UInt64?
        if deliver == .last {
            if let subject {
                lastMatching = try await nats.lastSequence(stream: stream, subject: subject)
            } else if info.messages > 0 {
                lastMatching = info.lastSequence
            }
        }
        return (deliver.startSequence(first: info.firstSequence, last: info.lastSequence, lastMatching: lastMatching), true)
    }

    /// Connects off the cooperative pool: the first attempt blocks (a TCP connect per URL).
    static func connect(_ options: NATSOptions) async throws(NATSError) -> NATSConnection {
        let result: Result<NATSConnection, NATSError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(NATSError) in try NATSConnection(options: options) })
            }
        }
        return try result.get()
    }

    /// Returns once the task is cancelled.
    static func waitForCancellation() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}

/// Doubling waits between retries: 100 ms to 5 s.
struct RetryDelay {
    private(set) var next: Duration = .milliseconds(100)

    /// Waits the next delay (returns early when the task is cancelled), then doubles it.
    mutating func sleep() async {
        try? await Task.sleep(for: next)
        next = min(next * 2, .seconds(5))
    }
}

/// True the first time only. Thread-safe.
final class FirstTime: Sendable {
    private let done = NIOLockedValueBox(false)

    func claim() -> Bool {
        done.withLockedValue { done in
            defer { done = true }
            return !done
        }
    }
}
