import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The clients of one endpoint on one event loop: cursors into the endpoint's log.
///
/// **Push.** The endpoint's executor hands each published batch to ``enqueue(_:)``, which
/// schedules at most one drain on the loop. A drain writes the batch's shared buffers to every
/// client that keeps up and flushes each once: one hop per loop per batch, no task or
/// allocation per client per event.
///
/// **Pull.** A client whose connection stops taking bytes (it goes unwritable: more than its
/// share of `client_buffer` is queued) is marked *behind* and skipped by drains. When the
/// connection drains, ``catchUp(_:)`` reads the log from the client's cursor and writes several
/// events at a time until the client has caught up, then it is pushed again. So a burst costs
/// no memory per client beyond its budget, and a client is cut off only when the events it
/// needs have left the log (`behind`) or its socket takes nothing for `stall_timeout` (`stalled`).
///
/// **Channels.** On a channel endpoint a drain writes each event only to the clients of its
/// channel on this loop (a client of several channels is in each one's list), so publishing to
/// a channel costs a lookup per loop and nothing for the other channels' clients.
///
/// The seam between pull and push is exact because every write advances the client's cursor
/// and a drain writes only events at or past it: an event both in a pull and in a later drain
/// is written once. Replay on connect is a pull from the resume point.
///
/// **Delivery time** (`gateway_delivery_seconds{endpoint}`). A drain that writes to at least one
/// client reads the clock once, right after it has flushed the first client it wrote, and
/// observes, for each event of the drain that it wrote to someone (on a broadcast endpoint: up
/// to the furthest event any client was written), that time minus the event's
/// ``PublishedEvent/arrival``. So the histogram holds one observation per event per loop with
/// clients that keep up: the gateway's own relay time (the pipeline, the hop to this loop, the
/// loop's queue) to the moment the first client's bytes went to its socket; the writes to the
/// loop's other clients follow within the same drain. Nothing is observed per client. Pulls are
/// not observed: a replay on (re)connect writes events that arrived long before, and a client
/// pulled because it lags measures its own connection, not the gateway
/// (`gateway_disconnects_total{reason="behind"|"stalled"}` counts those that lag too far).
final class LoopFanOut: @unchecked Sendable {
    /// The loop every client here lives on.
    let loop: any EventLoop
    /// This fan-out's place among its endpoint's (one per loop).
    let index: Int

    private let log: any EventLog
    private let endpoint: String
    /// The type of the gap notice (SPEC §3), or `nil` when turned off.
    private let resetEvent: String?
    private let metrics: EndpointMetrics
    private let logger: Logger
    private let heartbeatInterval: TimeAmount
    private let stallTimeout: TimeAmount
    /// The most bytes one pull reads from the log before checking the connection again.
    private let pullBytes: Int

    private struct Pending {
        var events: [PublishedEvent] = []
        var drainScheduled = false
        /// Clients registered here; batches are not queued while there are none.
        var subscribers = 0
    }
    private let pending = NIOLockedValueBox(Pending())

    // Loop-confined state.
    private var clients: [StreamClient] = []
    /// On a channel endpoint, the clients of each channel read on this loop.
    private var channelClients: [String: [StreamClient]] = [:]
    /// The clients written to by the drain under way, to flush once each.
    private var written: [StreamClient] = []
    private var draining: [PublishedEvent] = []
    /// On a channel endpoint, the arrivals of the events the drain under way wrote to someone.
    private var delivered: [NIODeadline] = []
    private var pulled: [PublishedEvent] = []
    private var tickTask: RepeatedTask?
    /// Set once the gateway is stopping: a client that catches up is ended with this reason.
    private var closing: DisconnectReason?
    /// Shares the compression of this loop's gzip'd streams; made for the first of them.
    private var madeCompressor: LoopCompressor?

    init(
        loop: any EventLoop, index: Int = 0, log: any EventLog, endpoint: String, heartbeat: TimeAmount, stallTimeout: TimeAmount,
        pullBytes: Int, resetEvent: String? = "reset", metrics: EndpointMetrics, logger: Logger
    ) {
        self.resetEvent = resetEvent
        self.loop = loop
        self.index = index
        self.log = log
        self.endpoint = endpoint
        self.heartbeatInterval = heartbeat
        self.stallTimeout = stallTimeout
        self.pullBytes = pullBytes
        self.metrics = metrics
        self.logger = logger
    }

    /// Clients registered on this loop. Thread-safe.
    var subscriberCount: Int { pending.withLockedValue { $0.subscribers } }

    /// Queues a published batch for this loop's clients. Thread-safe, never blocks on I/O.
    ///
    /// Called after the batch is in the log. A client registers (``subscribe``) before it reads
    /// the log, under the same lock this checks: so either the batch is queued for it, or the
    /// client's read of the log already saw the batch.
    func enqueue(_ batch: [PublishedEvent]) {
        let schedule = pending.withLockedValue { pending in
            guard pending.subscribers > 0 else { return false }
            pending.events.append(contentsOf: batch)
            if pending.drainScheduled { return false }
            pending.drainScheduled = true
            return true
        }
        if schedule {
            loop.execute { self.drain() }
        }
    }

    // MARK: Clients

    /// Registers a client and says where it starts. Call on the loop, then write what goes
    /// before the events (the opening, a reset notice) and call ``start(_:)`` without yielding.
    /// - Parameters:
    ///   - channels: the channels it reads on a channel endpoint; empty on a broadcast one.
    ///   - fromOldest: start at the oldest event held whatever the client sent (the dashboard).
    func subscribe(
        writer: any ClientWriter, types: Set<String>?, address: String, channels: [String] = [], lastEventID: String?,
        fromOldest: Bool = false
    ) -> (client: StreamClient, resume: Resume) {
        loop.assertInEventLoop()
        pending.withLockedValue { $0.subscribers += 1 }
        let cursor = log.open(channels: channels, lastEventID: lastEventID, fromOldest: fromOldest, loop: index)
        let client = StreamClient(writer: writer, types: types, address: address, cursor: cursor, now: loop.now)
        return (client, cursor.resume)
    }

    /// Adds a subscribed client and sends it what it has missed. Call on the loop.
    func start(_ client: StreamClient) {
        client.slot = clients.count
        clients.append(client)
        for name in client.channels {
            client.channelSlots.append(channelClients[name]?.count ?? 0)
            channelClients[name, default: []].append(client)
        }
        if tickTask == nil { startTicking() }
        client.isBehind = true
        catchUp(client)
        client.writer.flush()
    }

    /// Removes a client (its connection closed). Call on the loop.
    func remove(_ client: StreamClient) {
        let slot = client.slot
        guard slot >= 0, slot < clients.count, clients[slot] === client else { return }
        let last = clients.removeLast()
        if last !== client {
            clients[slot] = last
            last.slot = slot
        }
        client.slot = -1
        for (index, name) in client.channels.enumerated() { removeFromChannel(client, name: name, slot: client.channelSlots[index]) }
        log.close(client.cursor)
        pending.withLockedValue { $0.subscribers -= 1 }
    }

    private func removeFromChannel(_ client: StreamClient, name: String, slot: Int) {
        guard var readers = channelClients.removeValue(forKey: name) else { return }
        let last = readers.removeLast()
        if last !== client {
            readers[slot] = last
            // `last` may read several channels: update its slot for this one.
            if let index = last.channels.firstIndex(of: name) { last.channelSlots[index] = slot }
        }
        if !readers.isEmpty { channelClients[name] = readers }
    }

    /// The compressor of this loop's gzip'd streams (see ``GzipStreamWriter``). Call on the loop.
    func compressor() -> LoopCompressor {
        loop.assertInEventLoop()
        if let madeCompressor { return madeCompressor }
        let compressor = LoopCompressor()
        madeCompressor = compressor
        return compressor
    }

    /// The client's connection takes bytes again: pull it forward. Call on the loop.
    func writabilityChanged(_ client: StreamClient) {
        guard client.isBehind, client.writer.isWritable else { return }
        catchUp(client)
    }

    // MARK: Push

    /// Writes every queued event to the clients that keep up. Runs on the loop.
    func drain() {
        pending.withLockedValue { pending in
            swap(&pending.events, &draining)
            pending.drainScheduled = false
        }
        defer { draining.removeAll(keepingCapacity: true) }
        guard !draining.isEmpty, !clients.isEmpty else { return }
        if draining[0].channel != nil {
            drainChannels()
            return
        }
        // Gzip'd clients in step are sent the drain's events compressed once for all of them.
        madeCompressor?.share(draining)
        defer { madeCompressor?.endSharing() }
        let now = loop.now
        var firstFlush: NIODeadline?
        // The furthest any client got in this drain: events past it were written to nobody.
        var furthest: UInt64 = 0
        for client in clients where !client.isBehind {
            let writer = client.writer
            var wrote = false
            for event in draining where event.sequence >= client.next {
                client.next = event.sequence + 1
                guard client.wants(event.type) else { continue }
                writer.write(event)
                wrote = true
                // Past its budget the client stops being pushed; the rest of the batch is in
                // the log, and it is pulled from there once the connection drains.
                if !writer.isWritable {
                    client.isBehind = true
                    break
                }
            }
            if wrote {
                writer.flush()
                client.lastWrite = now
                if firstFlush == nil { firstFlush = .now() }
                furthest = max(furthest, client.next)
            }
        }
        if let firstFlush {
            for event in draining where event.sequence < furthest { observeDelivery(arrival: event.arrival, at: firstFlush) }
        }
    }

    /// ``drain()`` on a channel endpoint: each event to its channel's clients here.
    private func drainChannels() {
        for event in draining {
            guard let name = event.channel, let readers = channelClients[name] else { continue }
            var wrote = false
            for client in readers where !client.isBehind && event.sequence >= client.next {
                client.next = event.sequence + 1
                guard client.wants(event.type) else { continue }
                client.writer.write(event)
                wrote = true
                if !client.awaitsFlush {
                    client.awaitsFlush = true
                    written.append(client)
                }
                if !client.writer.isWritable { client.isBehind = true }
            }
            if wrote { delivered.append(event.arrival) }
        }
        let now = loop.now
        var firstFlush: NIODeadline?
        for client in written {
            client.awaitsFlush = false
            client.writer.flush()
            client.lastWrite = now
            if firstFlush == nil { firstFlush = .now() }
        }
        written.removeAll(keepingCapacity: true)
        if let firstFlush {
            for arrival in delivered { observeDelivery(arrival: arrival, at: firstFlush) }
        }
        delivered.removeAll(keepingCapacity: true)
    }

    /// One observation of `gateway_delivery_seconds` (see the type's documentation).
    private func observeDelivery(arrival: NIODeadline, at written: NIODeadline) {
        metrics.delivery.recordNanoseconds(max(0, (written - arrival).nanoseconds))
    }

    // MARK: Pull

    /// Writes events from the log while the client's connection takes them; pushes it again
    /// once it has caught up; cuts it off when what it needs has left the log.
    private func catchUp(_ client: StreamClient) {
        guard client.endReason == nil else { return }
        let writer = client.writer
        while writer.isWritable {
            pulled.removeAll(keepingCapacity: true)
            switch client.reader.read(from: client.next, maxBytes: pullBytes, into: &pulled) {
            case .served: break
            case .gone:
                fellBehind(client)
                return
            case .waiting:
                // Its events are being fetched from the cluster's engine: it stays behind (not
                // pushed live events) until they are here.
                let bound = NIOLoopBound(client, eventLoop: loop)
                client.reader.notifyWhenReadable { [self, loop] in
                    loop.execute { self.writabilityChanged(bound.value) }
                }
                return
            case .gap(let gap):
                metrics.replay(gap.reason.rawValue)
                if let resetEvent {
                    writer.write(text: WireFormat.reset(gap, type: resetEvent))
                    writer.flush()
                }
                continue
            }
            if pulled.isEmpty {
                client.isBehind = false
                if let closing { end(client, reason: closing) }
                return
            }
            var wrote = false
            for event in pulled {
                client.next = event.sequence + 1
                if client.wants(event.type) {
                    writer.write(event)
                    wrote = true
                }
            }
            if wrote {
                writer.flush()
                let now = loop.now
                client.lastWrite = now
                client.lastProgress = now
            }
        }
    }

    /// The events the client needs next have left the log: end its stream cleanly so that it
    /// resumes with `Last-Event-ID` (and learns of the gap from the `reset` event).
    private func fellBehind(_ client: StreamClient) {
        client.endReason = .behind
        logger.warning(
            "client cut off: the events it needs have left the log",
            metadata: ["endpoint": "\(endpoint)", "client.address": "\(client.address)", "next": "\(client.next)"])
        _ = client.writer.end()
    }

    // MARK: Heartbeats and stalls

    private func startTicking() {
        // Four checks per interval keep a stream's silence between 1 and 1.25 heartbeats, and a
        // stall's detection within a quarter of `stall_timeout`.
        let interval = min(heartbeatInterval, stallTimeout)
        let tick = TimeAmount.nanoseconds(max(5_000_000, interval.nanoseconds / 4))
        tickTask = loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { [weak self] _ in
            self?.tick()
        }
    }

    private func tick() {
        guard !clients.isEmpty else { return }
        let now = loop.now
        var stalled: [StreamClient] = []
        for client in clients {
            let buffered = client.writer.bufferedBytes
            // Nothing waiting, or less than before: the socket took bytes.
            if (buffered == 0 && client.writer.isWritable) || buffered < client.lastBuffered { client.lastProgress = now }
            client.lastBuffered = buffered
            // Compared as differences: `now - interval` would clamp at the clock's zero.
            if now - client.lastProgress >= stallTimeout {
                stalled.append(client)
            } else if buffered == 0, !client.isBehind, client.endReason == nil, now - client.lastWrite >= heartbeatInterval {
                client.writer.writeHeartbeat()
                client.writer.flush()
                client.lastWrite = now
            }
        }
        for client in stalled {
            if client.endReason == nil {
                client.endReason = .stalled
                logger.warning(
                    "client cut off: its socket took no byte for stall_timeout",
                    metadata: ["endpoint": "\(endpoint)", "client.address": "\(client.address)"])
            }
            client.writer.close()
        }
    }

    // MARK: Shutdown

    /// Delivers what is queued, then ends every stream once its bytes are written; a client
    /// that is behind is ended once it has caught up (or when the caller gives up and calls
    /// ``forceCloseAll()``). Succeeds when every connection is closed. Runs on the loop.
    func closeAll(reason: DisconnectReason) -> EventLoopFuture<Void> {
        loop.assertInEventLoop()
        drain()
        closing = reason
        let closed = clients.map { $0.writer.closeFuture }
        for client in clients where !client.isBehind { end(client, reason: reason) }
        return EventLoopFuture.andAllComplete(closed, on: loop)
    }

    /// Ends one client's stream cleanly, now: what is queued for it goes out, then the last
    /// chunk, then the connection closes; it is pushed nothing more meanwhile (a client that
    /// is behind is not pulled). For a stream whose token expired. Call on the loop.
    func endStream(of client: StreamClient, reason: DisconnectReason) {
        loop.assertInEventLoop()
        guard client.slot >= 0, client.endReason == nil else { return }
        client.isBehind = true
        end(client, reason: reason)
    }

    private func end(_ client: StreamClient, reason: DisconnectReason) {
        guard client.endReason == nil else { return }
        client.endReason = reason
        _ = client.writer.end()
    }

    /// Forcibly closes whatever is still open. Runs on the loop.
    func forceCloseAll() {
        tickTask?.cancel()
        tickTask = nil
        for client in clients {
            if client.endReason == nil { client.endReason = closing ?? .shutdown }
            client.writer.close()
        }
    }
}
