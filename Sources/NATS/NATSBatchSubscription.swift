import CNATS

/// A core NATS subscription (live messages only) that hands over messages in batches: the
/// messages that arrived together, in order, on the subscription's own libnats thread.
///
/// A message joins the batch being built; the batch is delivered when the library has no more
/// message queued for the subscription, or when it holds `maxBatch`. So a quiet subject gets
/// each message at once, and a busy one gets them a batch at a time — the way
/// ``JetStreamFollower`` batches, without a stream.
///
/// The library drops messages when the subscription's queue is full (a slow consumer); each
/// time its count of drops grows, `onDropped` is told how many more (after the batch before
/// them is delivered). Core NATS cannot send them again.
///
/// Like ``NATSSubscription``, delivery runs under a lock that ``cancel()`` takes: once it
/// returns no handler runs, and a handler may cancel its own subscription.
///
/// ```swift
/// let subscription = try nats.subscribeInBatches(subject: "orders.>") { messages in
///     print(messages.count)
/// }
/// subscription.cancel()
/// ```
public final class NATSBatchSubscription: @unchecked Sendable {
    // @unchecked: the mutable state below is guarded by `lock`.
    private let connection: NATSConnection
    private let maxBatch: Int
    private let deliver: @Sendable ([NATSMessage]) -> Void
    private let onDropped: (@Sendable (Int) -> Void)?
    private let lock = RecursiveLock()

    // Guarded by `lock`.
    private var subscription: OpaquePointer?
    private var cancelled = false
    private var batch: [NATSMessage] = []
    private var droppedSoFar: Int64 = 0

    init(
        connection: NATSConnection, maxBatch: Int, onDropped: (@Sendable (Int) -> Void)?,
        deliver: @escaping @Sendable ([NATSMessage]) -> Void
    ) {
        self.connection = connection
        self.maxBatch = max(maxBatch, 1)
        self.onDropped = onDropped
        self.deliver = deliver
    }

    /// Messages the library dropped so far because delivery fell behind its pending limits.
    public var dropped: Int64 { lock.withLock { droppedSoFar } }

    /// Stops delivery (no handler runs once it returns; a batch being built is dropped) and
    /// unsubscribes.
    public func cancel() {
        let old: OpaquePointer? = lock.withLock {
            cancelled = true
            batch = []
            defer { subscription = nil }
            return subscription
        }
        guard let old else { return }
        // Core unsubscribe only queues a protocol line: it does not wait for the server.
        _ = connection.gate.use { natsSubscription_Unsubscribe(old) }
        natsSubscription_Destroy(old)
    }

    fileprivate func start(subject: String, pendingLimits: (messages: Int32, bytes: Int32)) throws(NATSError) {
        let context = Unmanaged.passRetained(self)
        var sub: OpaquePointer?
        let status =
            connection.gate.use { natsConnection_Subscribe(&sub, connection.connection, subject, Self.onMessage, context.toOpaque()) }
            ?? NATS_CONNECTION_CLOSED
        guard status == NATS_OK, let sub else {
            let error = NATSError(status)
            context.release()
            throw error
        }
        natsSubscription_SetPendingLimits(sub, pendingLimits.messages, pendingLimits.bytes)
        // Frees the context after the subscription's last callback.
        natsSubscription_SetOnCompleteCB(
            sub, { closure in Unmanaged<NATSBatchSubscription>.fromOpaque(closure!).release() }, context.toOpaque())
        lock.withLock { subscription = sub }
    }

    private static let onMessage: natsMsgHandler = { _, sub, msg, closure in
        guard let msg, let closure else { return }
        let subscription = Unmanaged<NATSBatchSubscription>.fromOpaque(closure).takeUnretainedValue()
        let message = MessageCopy.core(msg)
        natsMsg_Destroy(msg)
        var pending: Int32 = 0
        var dropped: Int64 = 0
        if let sub { natsSubscription_GetStats(sub, &pending, nil, nil, nil, nil, &dropped) }
        subscription.received(message, pending: Int(pending), dropped: dropped)
    }

    private func received(_ message: NATSMessage, pending: Int, dropped: Int64) {
        lock.withLock {
            guard !cancelled else { return }
            if dropped > droppedSoFar {
                // The dropped messages came after those in the batch and before this one.
                flush()
                let more = dropped - droppedSoFar
                droppedSoFar = dropped
                onDropped?(Int(clamping: more))
            }
            batch.append(message)
            if pending == 0 || batch.count >= maxBatch { flush() }
        }
    }

    /// Delivers the batch (under the lock).
    private func flush() {
        guard !batch.isEmpty else { return }
        let messages = batch
        batch = []
        deliver(messages)
    }
}

extension NATSConnection {
    /// Subscribes to `subject` (wildcards allowed) and calls `deliver` with the messages that
    /// arrived together, in order, on a libnats thread (see ``NATSBatchSubscription``).
    /// - Parameters:
    ///   - subject: the subject, `*` and `>` allowed.
    ///   - maxBatch: messages per batch at most.
    ///   - pendingLimits: messages and bytes queued for delivery before the library drops
    ///     (65,536 messages and 64 MiB by default).
    ///   - onDropped: told how many messages the library dropped, each time it drops some.
    ///   - deliver: gets each batch; do not block in it.
    public func subscribeInBatches(
        subject: String, maxBatch: Int = 512, pendingLimits: (messages: Int32, bytes: Int32) = (65_536, 64 << 20),
        onDropped: (@Sendable (Int) -> Void)? = nil, deliver: @escaping @Sendable ([NATSMessage]) -> Void
    ) throws(NATSError) -> NATSBatchSubscription {
        let subscription = NATSBatchSubscription(connection: self, maxBatch: maxBatch, onDropped: onDropped, deliver: deliver)
        try subscription.start(subject: subject, pendingLimits: pendingLimits)
        return subscription
    }
}
