import CNATS
import Dispatch

/// A live tail of a stream: an ordered consumer delivering every message from a sequence on,
/// in order, each once, in batches — across reconnections and server restarts.
///
/// libnats re-creates an ordered consumer by itself after a reconnection or a gap it sees (from
/// the sequence after the last one it received). What it does not see is a message it dropped
/// because the subscription's queue was full (a slow consumer): it has already counted it as
/// received. So the follower checks the subscription's dropped count before each message and,
/// when it grew, replaces the consumer from the sequence after the last one it delivered. It
/// also skips any message at or below that sequence, so nothing is delivered twice.
///
/// Delivery runs on the subscription's thread, under a lock that ``cancel()`` takes too: once
/// `cancel()` returns no delivery runs, and a handler may cancel its own follower.
public final class JetStreamFollower: @unchecked Sendable {
    // @unchecked: the mutable state below is guarded by `lock`.
    private let connection: NATSConnection
    private let stream: String
    private let subject: String
    private let pendingLimits: (messages: Int32, bytes: Int32)
    private let maxBatch: Int
    private let deliver: @Sendable ([JetStreamMessage]) -> Void
    private let onError: (@Sendable (NATSError) -> Void)?
    private let lock = RecursiveLock()

    // Guarded by `lock`.
    private var cancelled = false
    /// Counts the consumers made; a callback of an older one is ignored.
    private var generation = 0
    private var subscription: OpaquePointer?
    private var lastDelivered: UInt64
    private var batch: [JetStreamMessage] = []
    private var failures = 0
    private var replacements = 0

    init(
        connection: NATSConnection, stream: String, subject: String, from start: UInt64, pendingLimits: (messages: Int32, bytes: Int32),
        maxBatch: Int, onError: (@Sendable (NATSError) -> Void)?, deliver: @escaping @Sendable ([JetStreamMessage]) -> Void
    ) {
        self.connection = connection
        self.stream = stream
        self.subject = subject
        self.pendingLimits = pendingLimits
        self.maxBatch = max(maxBatch, 1)
        self.onError = onError
        self.deliver = deliver
        self.lastDelivered = start > 0 ? start - 1 : 0
    }

    /// How many times a consumer was replaced after the library dropped messages.
    public var recoveries: Int { lock.withLock { replacements } }

    /// The sequence of the last message delivered (the start − 1 before any).
    public var lastSequence: UInt64 { lock.withLock { lastDelivered } }

    /// Stops delivery; no delivery runs once it returns. The consumer is deleted in the background.
    public func cancel() {
        let old: OpaquePointer? = lock.withLock {
            cancelled = true
            batch = []
            defer { subscription = nil }
            return subscription
        }
        if let old { retire(old) }
    }

    // MARK: Consumers

    func start() {
        connection.submit { self.subscribe() }
    }

    /// Makes a consumer from the sequence after the last delivered (on the connection's threads).
    private func subscribe() {
        guard let (generation, from) = lock.withLock({ cancelled ? nil : (generation, lastDelivered + 1) }) else { return }
        let context = Unmanaged.passRetained(DeliveryContext(follower: self, generation: generation))
        let made: Result<OpaquePointer, NATSError>? = connection.gate.use { () -> Result<OpaquePointer, NATSError> in
            var options = jsSubOptions()
            jsSubOptions_Init(&options)
            options.Ordered = true
            options.Config.DeliverPolicy = js_DeliverByStartSequence
            options.Config.OptStartSeq = max(from, 1)
            // Missed heartbeats make libnats re-create a consumer whose re-creation failed (the
            // server was still starting): 2 s rather than 5 s brings delivery back sooner.
            options.Config.Heartbeat = 2_000_000_000
            var sub: OpaquePointer?
            var code = jsErrCode(rawValue: 0)
            let status = stream.withCString { name in
                options.Stream = name
                return js_Subscribe(&sub, connection.jetStream, subject, Self.onMessage, context.toOpaque(), nil, &options, &code)
            }
            guard status == NATS_OK, let sub else { return .failure(NATSError(status, jetStreamCode: code)) }
            natsSubscription_SetPendingLimits(sub, pendingLimits.messages, pendingLimits.bytes)
            // Frees the context after the subscription's last callback. (If the subscription
            // closed already, the context is left: a running callback may still use it.)
            natsSubscription_SetOnCompleteCB(sub, { closure in Unmanaged<DeliveryContext>.fromOpaque(closure!).release() }, context.toOpaque())
            return .success(sub)
        }
        switch made {
        case nil:
            context.release()  // the connection is closed: nothing to follow any more
        case .failure(let error):
            context.release()
            onError?(error)
            let wait = lock.withLock { () -> Int in
                failures += 1
                return min(100 << min(failures, 5), 2_000)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(wait)) { self.connection.submit { self.subscribe() } }
        case .success(let sub):
            let stale: Bool = lock.withLock {
                guard !cancelled, self.generation == generation else { return true }
                subscription = sub
                failures = 0
                return false
            }
            if stale { retire(sub) }
        }
    }

    /// Unsubscribes (deleting the consumer) and frees a subscription, off the caller's thread.
    private func retire(_ sub: OpaquePointer) {
        let handle = LibraryHandle(sub)
        let connection = connection
        connection.submitOrCancel { active in
            // Once the connection is closed, the subscription is still to be freed.
            if active { _ = connection.gate.use { natsSubscription_Unsubscribe(handle.pointer) } }
            natsSubscription_Destroy(handle.pointer)
        }
    }

    // MARK: Delivery

    private final class DeliveryContext {
        let follower: JetStreamFollower
        let generation: Int

        init(follower: JetStreamFollower, generation: Int) {
            self.follower = follower
            self.generation = generation
        }
    }

    private static let onMessage: natsMsgHandler = { _, sub, msg, closure in
        guard let msg, let closure else { return }
        let context = Unmanaged<DeliveryContext>.fromOpaque(closure).takeUnretainedValue()
        let message = MessageCopy.delivered(msg)
        natsMsg_Destroy(msg)
        var pending: Int32 = 0
        var dropped: Int64 = 0
        natsSubscription_GetStats(sub, &pending, nil, nil, nil, nil, &dropped)
        context.follower.received(message, pending: Int(pending), dropped: dropped, generation: context.generation)
    }

    private func received(_ message: JetStreamMessage?, pending: Int, dropped: Int64, generation: Int) {
        lock.withLock {
            guard !cancelled, generation == self.generation else { return }
            if dropped > 0 {
                // Messages after those delivered were dropped: this one may come after them.
                flush()
                replace()
                return
            }
            guard let message, message.sequence > lastDelivered else { return }
            batch.append(message)
            lastDelivered = message.sequence
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

    /// Drops the current consumer for a new one from the sequence after the last delivered
    /// (under the lock).
    private func replace() {
        generation += 1
        replacements += 1
        onError?(NATSError(status: NATS_SLOW_CONSUMER.rawValue, message: "messages dropped on \(stream); resuming after \(lastDelivered)"))
        if let old = subscription {
            subscription = nil
            retire(old)
        }
        connection.submit { self.subscribe() }
    }
}

extension NATSConnection {
    /// Follows `stream` from sequence `start` (messages of `subject` only, which may be the
    /// stream's own subject, or a wildcard), calling `deliver` with each batch on a libnats thread.
    ///
    /// Returns at once; the consumer is made in the background, and made again until it works
    /// (the stream may not exist yet, the server may be down). A start below the stream's first
    /// sequence starts at the first.
    /// - Parameters:
    ///   - pendingLimits: messages and bytes the library queues for delivery before it drops
    ///     (-1: no limit, the default; the server's flow control bounds what it sends).
    ///   - maxBatch: messages per batch at most.
    ///   - onError: told why a consumer could not be made or was replaced (to log it).
    public func follow(
        stream: String, subject: String, from start: UInt64, pendingLimits: (messages: Int32, bytes: Int32) = (-1, -1),
        maxBatch: Int = 512, onError: (@Sendable (NATSError) -> Void)? = nil, deliver: @escaping @Sendable ([JetStreamMessage]) -> Void
    ) -> JetStreamFollower {
        let follower = JetStreamFollower(
            connection: self, stream: stream, subject: subject, from: start, pendingLimits: pendingLimits, maxBatch: maxBatch, onError: onError,
            deliver: deliver)
        follower.start()
        return follower
    }
}
