import CurlHTTP
import GatewayPlugin
import Logging

/// Reads one connection's body: checks the head, parses bytes into events on the transfer
/// thread and hands them to the source's output in one batch per chunk received.
///
/// Used by one thread at a time (see ``HTTPStreamHandler``): the transfer thread during the
/// connection, the source's task after it.
final class EventStreamReader: HTTPStreamHandler, @unchecked Sendable {
    /// The parser, carried from connection to connection for its last event ID.
    private(set) var parser: SSEParser
    private let output: SourceOutput
    private let logger: Logger
    private var batch: [Event] = []

    /// Whether the response was a `200 text/event-stream` and its body was read.
    private(set) var accepted = false
    /// Events handed on during this connection.
    private(set) var eventsDelivered = 0
    /// The last `retry:` the server sent on this connection, in milliseconds.
    private(set) var retry: Int?
    /// The event being skipped was already counted and logged when the skip began.
    private var skipReported = false

    init(parser: SSEParser, output: SourceOutput, logger: Logger) {
        self.parser = parser
        self.output = output
        self.logger = logger
    }

    func receive(head: HTTPResponseHead) -> HTTPHeadDecision {
        // The HTML standard's rule: only a 200 with the event-stream media type is a stream.
        guard head.status == 200, head.mediaType == "text/event-stream" else { return .decline }
        accepted = true
        output.markReady()
        return .accept
    }

    func receive(body: UnsafeRawBufferPointer) -> Bool {
        let limit = parser.maxEventSize  // read before parse(_:_:) takes exclusive access to `parser`
        parser.parse(body) { result in
            switch result {
            case .event(let event):
                batch.append(event)
            case .retry(let milliseconds):
                retry = milliseconds
            case .eventTooLarge(let bytes):
                if skipReported {
                    skipReported = false
                    logger.debug("the oversized upstream event ended", metadata: ["event.bytes": "\(bytes)"])
                } else {
                    logger.warning(
                        "dropped an upstream event larger than max_event_size",
                        metadata: ["event.bytes": "\(bytes)", "max_event_size": "\(limit)"])
                    output.dropped(reason: "too_large")
                }
            }
        }
        // An event still being skipped at the end of a chunk is counted now, not at its end:
        // an upstream line that never ends would otherwise never be reported.
        if parser.isSkippingEvent && !skipReported {
            skipReported = true
            logger.warning(
                "dropping an upstream event larger than max_event_size; skipping to its end",
                metadata: ["max_event_size": "\(limit)"])
            output.dropped(reason: "too_large")
        }
        if !batch.isEmpty {
            eventsDelivered += batch.count
            output.emit(batch)
            batch.removeAll(keepingCapacity: true)
        }
        return true
    }
}
