import GatewayPlugin
import Logging
import NATS

/// A message as the relay needs it: core NATS and JetStream messages alike.
protocol RelayedMessage: Sendable {
    var subject: String { get }
    var headers: [NATSHeader] { get }
    var payload: [UInt8] { get }
}

extension NATSMessage: RelayedMessage {}
extension JetStreamMessage: RelayedMessage {}

/// Turns batches of messages into events and hands them to the gateway.
///
/// It runs on libnats' delivery threads (one batch at a time per subscription), so it does
/// nothing that waits: it maps each message (``EventMapping``), emits the batch's events in one
/// call, and counts what it dropped. Each dropped message is logged with its subject, at most
/// one line a second (``WarningLimiter``), with how many were not logged.
final class MessageRelay: Sendable {
    let mapping: EventMapping
    let output: SourceOutput
    let logger: Logger
    private let dropWarnings = WarningLimiter()
    private let slowWarnings = WarningLimiter()

    init(mapping: EventMapping, output: SourceOutput, logger: Logger) {
        self.mapping = mapping
        self.output = output
        self.logger = logger
    }

    /// Emits the events of `messages`, in order, and counts the ones dropped.
    func relay(_ messages: [some RelayedMessage]) {
        var events: [Event] = []
        events.reserveCapacity(messages.count)
        var drops: [(reason: String, subject: String, bytes: Int)] = []
        for message in messages {
            switch mapping.outcome(headers: message.headers, payload: message.payload) {
            case .event(let event): events.append(event)
            case .dropped(let reason): drops.append((reason, message.subject, message.payload.count))
            }
        }
        output.emit(events)
        for drop in drops {
            output.dropped(reason: drop.reason)
            guard let held = dropWarnings.admit() else { continue }
            var metadata: Logger.Metadata = [
                "reason": "\(drop.reason)", "nats.subject": "\(drop.subject)", "bytes": "\(drop.bytes)",
                "max_event_size": "\(mapping.maxEventSize)",
            ]
            if held > 0 { metadata["drops_not_logged"] = "\(held)" }
            logger.warning("dropped a NATS message", metadata: metadata)
        }
    }

    /// Counts messages the NATS library dropped because delivery fell behind (core NATS
    /// cannot send them again).
    func libraryDropped(_ count: Int) {
        output.dropped(reason: "slow_consumer", count: count)
        guard let held = slowWarnings.admit() else { return }
        var metadata: Logger.Metadata = ["count": "\(count)"]
        if held > 0 { metadata["warnings_not_logged"] = "\(held)" }
        logger.warning("the NATS library dropped messages: delivery fell behind", metadata: metadata)
    }
}
