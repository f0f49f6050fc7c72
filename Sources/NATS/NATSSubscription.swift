import CNATS

/// A core NATS subscription (live messages only, no stream): calls its handler with each
/// message, copied out, on the subscription's own libnats thread.
///
/// Like ``JetStreamFollower``, delivery runs under a lock that ``cancel()`` takes: once it
/// returns no handler runs.
public final class NATSSubscription: @unchecked Sendable {
    // @unchecked: `subscription` and `cancelled` are guarded by `lock`.
    private let connection: NATSConnection
    private let handler: @Sendable (NATSMessage) -> Void
    private let lock = RecursiveLock()
    private var subscription: OpaquePointer?
    private var cancelled = false

    init(connection: NATSConnection, handler: @escaping @Sendable (NATSMessage) -> Void) {
        self.connection = connection
        self.handler = handler
    }

    /// Messages the library dropped because the handler fell behind its pending limits.
    public var dropped: Int64 {
        lock.withLock {
            var dropped: Int64 = 0
            if let subscription { natsSubscription_GetDropped(subscription, &dropped) }
            return dropped
        }
    }

    /// Stops delivery (no handler runs once it returns) and unsubscribes.
    public func cancel() {
        let old: OpaquePointer? = lock.withLock {
            cancelled = true
            defer { subscription = nil }
            return subscription
        }
        guard let old else { return }
        // Core unsubscribe only queues a protocol line: it does not wait for the server.
        _ = connection.gate.use { natsSubscription_Unsubscribe(old) }
        natsSubscription_Destroy(old)
    }

    fileprivate func start(subject: String, queue: String?, pendingLimits: (messages: Int32, bytes: Int32)) throws(NATSError) {
        let context = Unmanaged.passRetained(self)
        var sub: OpaquePointer?
        let status =
            connection.gate.use {
                if let queue {
                    return natsConnection_QueueSubscribe(&sub, connection.connection, subject, queue, Self.onMessage, context.toOpaque())
                }
                return natsConnection_Subscribe(&sub, connection.connection, subject, Self.onMessage, context.toOpaque())
            } ?? NATS_CONNECTION_CLOSED
        guard status == NATS_OK, let sub else {
            let error = NATSError(status)
            context.release()
            throw error
        }
        natsSubscription_SetPendingLimits(sub, pendingLimits.messages, pendingLimits.bytes)
        natsSubscription_SetOnCompleteCB(sub, { closure in Unmanaged<NATSSubscription>.fromOpaque(closure!).release() }, context.toOpaque())
        lock.withLock { subscription = sub }
    }

    private static let onMessage: natsMsgHandler = { _, _, msg, closure in
        guard let msg, let closure else { return }
        let subscription = Unmanaged<NATSSubscription>.fromOpaque(closure).takeUnretainedValue()
        let message = MessageCopy.core(msg)
        natsMsg_Destroy(msg)
        subscription.lock.withLock {
            guard !subscription.cancelled else { return }
            subscription.handler(message)
        }
    }
}

extension NATSConnection {
    /// Subscribes to `subject` (wildcards allowed), in queue group `queue` when given.
    /// - Parameters:
    ///   - pendingLimits: messages and bytes queued for the handler before the library drops
    ///     (65,536 messages and 64 MiB by default).
    public func subscribe(
        subject: String, queue: String? = nil, pendingLimits: (messages: Int32, bytes: Int32) = (65_536, 64 << 20),
        handler: @escaping @Sendable (NATSMessage) -> Void
    ) throws(NATSError) -> NATSSubscription {
        let subscription = NATSSubscription(connection: self, handler: handler)
        try subscription.start(subject: subject, queue: queue, pendingLimits: pendingLimits)
        return subscription
    }

    /// Publishes a core NATS message (no stream ack). Queued in the library; never waits.
    public func publish(subject: String, headers: [NATSHeader] = [], payload: [UInt8]) throws(NATSError) {
        let msg = try MessageCopy.outgoing(subject: subject, headers: headers, payload: payload)
        defer { natsMsg_Destroy(msg) }
        let status = gate.use { natsConnection_PublishMsg(connection, msg) } ?? NATS_CONNECTION_CLOSED
        try NATSError.check(status)
    }

    /// Publishes to a JetStream stream; `completion` runs once (on a libnats thread) with the
    /// stream's ack or why there is none. Returns at once; publishes are sent in call order.
    public func publish(_ message: JetStreamPublish, completion: @escaping JetStreamPublishCompletion) {
        publisher.publish(message, completion: completion)
    }
}
