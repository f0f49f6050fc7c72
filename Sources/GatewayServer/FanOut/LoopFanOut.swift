import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The clients of one endpoint on one event loop, and the events queued for them.
///
/// Publishing appends the shared event to ``enqueue(_:)``'s queue and, when none is pending,
/// schedules one drain on the loop. A drain writes every queued event to every client that
/// wants it and flushes each client once: one hop per loop per batch, no task or allocation
/// per client per event.
///
/// The seam between replay and live delivery is exact because a client is added on its own
/// loop right after the endpoint has given it its replay and ``ClientPolicy/startAfter``: any
/// drain that runs later skips what the replay covered and delivers everything newer.
final class LoopFanOut: @unchecked Sendable {
    /// The loop every client here lives on.
    let loop: any EventLoop
    /// Clients registered with the endpoint for this loop. Guarded by the endpoint's lock.
    var subscriberCount = 0

    private let endpoint: String
    private let metrics: EndpointMetrics
    private let logger: Logger
    private let heartbeatInterval: TimeAmount

    private struct Pending {
        var events: [PublishedEvent] = []
        var drainScheduled = false
    }
    private let pending = NIOLockedValueBox(Pending())

    // Loop-confined state.
    private var clients: [StreamClient] = []
    private var draining: [PublishedEvent] = []
    private var heartbeatTask: RepeatedTask?

    init(loop: any EventLoop, endpoint: String, heartbeat: TimeAmount, metrics: EndpointMetrics, logger: Logger) {
        self.loop = loop
        self.endpoint = endpoint
        self.heartbeatInterval = heartbeat
        self.metrics = metrics
        self.logger = logger
    }

    /// The number of clients on this loop. Call on the loop.
    var clientCount: Int { clients.count }

    /// Queues an event for this loop's clients. Thread-safe, never blocks on I/O.
    func enqueue(_ event: PublishedEvent) {
        let schedule = pending.withLockedValue { pending in
            pending.events.append(event)
            if pending.drainScheduled { return false }
            pending.drainScheduled = true
            return true
        }
        if schedule {
            loop.execute { self.drain() }
        }
    }

    /// Writes every queued event to the clients. Runs on the loop.
    func drain() {
        pending.withLockedValue { pending in
            swap(&pending.events, &draining)
            pending.drainScheduled = false
        }
        defer { draining.removeAll(keepingCapacity: true) }
        guard !draining.isEmpty, !clients.isEmpty else { return }
        let now = loop.now
        var overBuffer: [StreamClient] = []
        for client in clients {
            if client.isCatchingUp {
                for event in draining where client.policy.delivers(sequence: event.sequence, type: event.type) {
                    client.backlog.append(event.bytes)
                }
                if client.backlog.count > client.backlogLimit {
                    overBuffer.append(client)
                } else {
                    client.pump()
                    client.lastWrite = now
                }
                continue
            }
            var wrote = false
            for event in draining where client.policy.delivers(sequence: event.sequence, type: event.type) {
                client.context.write(NIOAny(event.bytes), promise: nil)
                wrote = true
            }
            if wrote {
                client.context.flush()
                client.lastWrite = now
                if !client.context.channel.isWritable { overBuffer.append(client) }
            }
        }
        for client in overBuffer { cutOff(client) }
    }

    /// Adds a client. Call on the loop, right after writing its replay.
    func add(_ client: StreamClient) {
        client.slot = clients.count
        clients.append(client)
        if heartbeatTask == nil { startHeartbeat() }
    }

    /// Removes a client (its channel closed). Call on the loop.
    func remove(_ client: StreamClient) {
        let slot = client.slot
        guard slot >= 0, slot < clients.count, clients[slot] === client else { return }
        let last = clients.removeLast()
        if last !== client {
            clients[slot] = last
            last.slot = slot
        }
        client.slot = -1
    }

    /// Disconnects a client that is not reading fast enough.
    private func cutOff(_ client: StreamClient) {
        guard client.endReason == nil else { return }
        client.endReason = .slowClient
        logger.warning(
            "client cut off: over client_buffer", metadata: ["endpoint": "\(endpoint)", "client.address": "\(client.address)"])
        client.context.close(promise: nil)
    }

    private func startHeartbeat() {
        // Checking four times per interval keeps a stream's silence between 1 and 1.25 intervals.
        let tick = TimeAmount.nanoseconds(max(5_000_000, heartbeatInterval.nanoseconds / 4))
        heartbeatTask = loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { [self] _ in
            heartbeat()
        }
    }

    private func heartbeat() {
        guard !clients.isEmpty else { return }
        let now = loop.now
        var overBuffer: [StreamClient] = []
        // Compared as a difference: `now - interval` would clamp at the clock's zero.
        for client in clients where now - client.lastWrite >= heartbeatInterval && !client.isCatchingUp {
            client.context.writeAndFlush(NIOAny(WireFormat.heartbeat), promise: nil)
            client.lastWrite = now
            if !client.context.channel.isWritable { overBuffer.append(client) }
        }
        for client in overBuffer { cutOff(client) }
    }

    /// Delivers what is queued, then ends every stream once its bytes are written.
    /// Succeeds when every channel is closed. Runs on the loop.
    func closeAll(reason: DisconnectReason) -> EventLoopFuture<Void> {
        loop.assertInEventLoop()
        drain()
        heartbeatTask?.cancel()
        heartbeatTask = nil
        var closed: [EventLoopFuture<Void>] = []
        for client in clients {
            if client.endReason == nil { client.endReason = reason }
            let context = client.context
            let promise = loop.makePromise(of: Void.self)
            // Writes complete in order: once this empty write completes, everything before it
            // is in the kernel, and closing loses nothing.
            context.channel.closeFuture.cascade(to: promise)
            let channel = context.channel
            writeBarrier(context).whenComplete { _ in channel.close(promise: nil) }
            closed.append(promise.futureResult)
        }
        return EventLoopFuture.andAllComplete(closed, on: loop)
    }

    private func writeBarrier(_ context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(ByteBuffer()), promise: promise)
        return promise.futureResult
    }

    /// Forcibly closes whatever is still open. Runs on the loop.
    func forceCloseAll() {
        for client in clients { client.context.close(promise: nil) }
    }
}
