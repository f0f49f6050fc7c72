import CNATS
import Dispatch
import NIOConcurrencyHelpers

/// A message to publish to a JetStream stream.
public struct JetStreamPublish: Sendable, Equatable {
    public var subject: String
    public var headers: [NATSHeader]
    public var payload: [UInt8]
    /// `Nats-Msg-Id`: the stream drops a second message with the same id within its duplicate
    /// window and acks it as a duplicate (with the first one's sequence).
    public var messageID: String?
    /// `Nats-Expected-Last-Sequence`: the stream stores the message only if its last sequence is
    /// this one (0: only if it is empty). `nil` for no condition.
    public var expectedLastSequence: UInt64?
    /// `Nats-Expected-Last-Msg-Id`: the stream stores the message only if its last message has
    /// this id. The server keeps that id in memory: after its restart it refuses until a message
    /// with an id is stored again. `nil` for no condition.
    public var expectedLastMessageID: String?

    public init(
        subject: String, headers: [NATSHeader] = [], payload: [UInt8], messageID: String? = nil, expectedLastSequence: UInt64? = nil,
        expectedLastMessageID: String? = nil
    ) {
        self.subject = subject
        self.headers = headers
        self.payload = payload
        self.messageID = messageID
        self.expectedLastSequence = expectedLastSequence
        self.expectedLastMessageID = expectedLastMessageID
    }
}

/// Sends asynchronous publishes in the order they were asked for, on one thread of its own.
///
/// `publish` only queues (it never blocks); the thread hands each message to libnats, which
/// keeps up to ``window`` awaiting their ack (past it the thread waits). Each publish completes
/// once: with the stream's ack, its refusal, a timeout (`requestTimeout`), or the connection's
/// close.
final class JetStreamPublisher: @unchecked Sendable {
    // @unchecked: `jetStream` is used only inside `gate`.
    /// Publishes in flight (sent, not yet acked) at most.
    static let window = 4096

    private let jetStream: OpaquePointer
    private let acks: PublishAcks
    private let gate: UseGate
    private let maxWait: Int64
    private let thread = DispatchQueue(label: "nats.publish")
    private let state = NIOLockedValueBox(State())

    private struct State {
        var queued: [(JetStreamPublish, JetStreamPublishCompletion)] = []
        var draining = false
        var closed = false
    }

    init(jetStream: OpaquePointer, acks: PublishAcks, gate: UseGate, maxWait: Duration) {
        self.jetStream = jetStream
        self.acks = acks
        self.gate = gate
        self.maxWait = max(maxWait.milliseconds, 1)
    }

    func publish(_ message: JetStreamPublish, completion: @escaping JetStreamPublishCompletion) {
        enum Next { case refuse, queued, drain }
        let next: Next = state.withLockedValue { state in
            if state.closed { return .refuse }
            state.queued.append((message, completion))
            if state.draining { return .queued }
            state.draining = true
            return .drain
        }
        switch next {
        case .refuse: completion(.failure(.closed))
        case .queued: break
        case .drain: thread.async { self.drain() }
        }
    }

    /// Refuses further publishes and fails the queued ones.
    func close() {
        let queued = state.withLockedValue { state in
            state.closed = true
            defer { state.queued.removeAll() }
            return state.queued
        }
        for (_, completion) in queued { completion(.failure(.closed)) }
    }

    private func drain() {
        while true {
            let batch: [(JetStreamPublish, JetStreamPublishCompletion)] = state.withLockedValue { state in
                if state.queued.isEmpty { state.draining = false }
                defer { state.queued.removeAll(keepingCapacity: true) }
                return state.queued
            }
            if batch.isEmpty { return }
            for (message, completion) in batch {
                if let failure = send(message, completion) { completion(.failure(failure)) }
            }
        }
    }

    /// Hands `message` to libnats; returns the error when it was not sent (its completion will
    /// not be called by the ack handler then).
    private func send(_ message: JetStreamPublish, _ completion: @escaping JetStreamPublishCompletion) -> NATSError? {
        var headers = message.headers
        // Set as a header rather than `jsPubOptions.ExpectLastSeq`, for which 0 means "not set".
        if let expected = message.expectedLastSequence { headers.append(NATSHeader("Nats-Expected-Last-Sequence", String(expected))) }
        if let expected = message.expectedLastMessageID { headers.append(NATSHeader("Nats-Expected-Last-Msg-Id", expected)) }
        if let id = message.messageID { headers.append(NATSHeader("Nats-Msg-Id", id)) }
        let outcome: NATSError?? = gate.use { () -> NATSError? in
            var msg: OpaquePointer?
            do throws(NATSError) {
                msg = try MessageCopy.outgoing(subject: message.subject, headers: headers, payload: message.payload)
            } catch {
                return error
            }
            guard let created = msg else { return NATSError.invalid("no message") }
            acks.register(created, completion)
            var options = jsPubOptions()
            jsPubOptions_Init(&options)
            options.MaxWait = maxWait
            let status = js_PublishMsgAsync(jetStream, &msg, &options)
            guard status != NATS_OK else { return nil }
            let error = NATSError(status)
            // Still ours unless libnats took it (then its ack handler answers).
            if let kept = msg, acks.take(kept) != nil {
                natsMsg_Destroy(kept)
                return error
            }
            return nil
        }
        guard let outcome else { return .closed }
        return outcome
    }
}
