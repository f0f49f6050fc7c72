import DequeModule
import NIOConcurrencyHelpers
import NIOCore

/// The log of a channel endpoint (SPEC §2 "Channels"): one ``ChannelLog`` per channel.
///
/// A log per channel rather than one endpoint log indexed by channel, because SPEC keeps
/// `replay` events *per channel*: a quiet channel keeps its last events however busy the
/// others are, which one shared ring could only do by holding every channel's history.
/// Publishing touches only the channel's log; a client reads only its channels; dropping a
/// channel frees it at once.
///
/// Bounds, so memory stays within `max_channels × replay` events and `replay_bytes`:
/// - each channel keeps `replay` events, plus events of the last few seconds while the
///   endpoint's channels hold less than the retention size (``MemoryLog/Retention``), so a
///   burst on a channel does not cut off its clients that are still reading;
/// - beyond `max_channels` channels holding events, or `replay_bytes` held in all, the least
///   recently published channel is dropped (counted). A dropped channel that still has
///   clients stays, empty, so a client that had not read everything is cut off as behind
///   rather than silently skipping; one with none is forgotten, and an id older than the
///   newest event of any forgotten channel is not trusted to resume a channel not held.
///
/// Thread-safe: one lock guards every channel, held only to copy events in or out.
final class Channels: EventLog, @unchecked Sendable {
    /// Why a channel was dropped: the `reason` label of `gateway_channel_evictions_total`.
    enum Eviction: String, Sendable, CaseIterable {
        case maxChannels = "max_channels"
        case replayBytes = "replay_bytes"
    }

    /// What one held event costs: its bytes and its bookkeeping.
    static func cost(of event: PublishedEvent) -> Int { event.chunk.readableBytes + 136 }

    /// Events each channel keeps for `Last-Event-ID` resume.
    let replay: Int
    /// Channels holding events, at most.
    let maxChannels: Int
    /// Bytes held by every channel together, at most (`nil`: no limit beyond the others).
    let replayBytes: Int?
    /// The event loops clients read from (the endpoint's fan-outs).
    let loops: Int
    private let retention: MemoryLog.Retention
    private let retentionNanoseconds: UInt64
    private let now: @Sendable () -> UInt64
    private let stamper: IDStamper
    private let evicted: @Sendable (Eviction) -> Void
    private let counted: @Sendable (Int) -> Void
    private let lock = NIOLock()

    // Guarded by `lock`.
    private var channels: [String: ChannelLog] = [:]
    /// Channels by when they were last published to, oldest first. An entry is current when
    /// its sequence is still its channel's ``ChannelLog/lastSequence``; older entries are
    /// skipped, and swept out when they outnumber the current ones.
    private var recency: Deque<(channel: ChannelLog, sequence: UInt64)> = []
    /// Channels holding at least one event.
    private var heldChannels = 0
    private var bytes = 0
    private var newest: UInt64 = 0
    /// The newest sequence of any channel dropped and forgotten.
    private var forgottenThrough: UInt64 = 0

    /// - Parameters:
    ///   - floor: events at or below this sequence are known to be missing from every channel
    ///     (a cluster instance that started following its stream after them).
    ///   - evicted: told of each channel dropped for a limit (on the endpoint's executor).
    ///   - counted: told how many channels are known after each change (`gateway_channels`), under
    ///     the lock, so changes from several loops are reported in the order they happened.
    ///   - now: a monotonic clock in nanoseconds; tests step it.
    init(
        replay: Int, maxChannels: Int, replayBytes: Int?, stamper: IDStamper, loops: Int = 1,
        retention: MemoryLog.Retention = .standard, floor: UInt64 = 0,
        evicted: @escaping @Sendable (Eviction) -> Void = { _ in }, counted: @escaping @Sendable (Int) -> Void = { _ in },
        now: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }
    ) {
        self.replay = max(0, replay)
        self.maxChannels = max(1, maxChannels)
        self.replayBytes = replayBytes
        self.loops = max(1, loops)
        self.retention = retention
        self.retentionNanoseconds = UInt64(max(0, TimeAmount(retention.age).nanoseconds))
        self.now = now
        self.stamper = stamper
        self.evicted = evicted
        self.counted = counted
        self.forgottenThrough = floor
    }

    // MARK: Publishing

    /// Appends events that each name their channel (``PublishedEvent/channel``).
    func append(_ batch: [PublishedEvent]) {
        var routed: [[PublishedEvent]] = []
        append(batch, routingInto: &routed)
    }

    /// Appends events that each name their channel, and adds each to `routed[loop]` for every
    /// event loop that has a reader of its channel: a loop with none is not woken, and a loop
    /// looks only at its own clients' events, however many loops there are.
    /// - Parameter routed: one list per loop, appended to (the caller empties them).
    func append(_ batch: [PublishedEvent], routingInto routed: inout [[PublishedEvent]]) {
        while routed.count < loops { routed.append([]) }
        let time = now()
        var evictions: [Eviction] = []
        lock.withLock {
            for event in batch {
                guard let name = event.channel else { continue }
                let channel = channels[name] ?? create(name)
                if channel.events.isEmpty { heldChannels += 1 }
                channel.events.append(ChannelLog.Held(event: event, appended: time))
                let cost = Self.cost(of: event)
                channel.bytes += cost
                bytes += cost
                channel.lastSequence = event.sequence
                channel.published += 1
                newest = event.sequence
                recency.append((channel, event.sequence))
                trim(channel, at: time)
                for (loop, readers) in channel.readersByLoop.enumerated() where readers > 0 { routed[loop].append(event) }
            }
            evictions = enforceLimits()
            if recency.count > 2 * heldChannels + 64 {
                recency.removeAll { !isCurrent($0) }
            }
            counted(channels.count)
        }
        for eviction in evictions { evicted(eviction) }
    }

    /// The channel's events beyond `replay` go, unless they are recent and the endpoint's
    /// channels hold less than the retention size. Times only grow, so once the oldest may
    /// stay, every younger one may too.
    private func trim(_ channel: ChannelLog, at time: UInt64) {
        let retainedBytes = min(retention.bytes, replayBytes ?? .max)
        while channel.events.count > replay {
            if time &- channel.events[0].appended < retentionNanoseconds && bytes <= retainedBytes { break }
            bytes -= channel.dropOldest()
            if channel.events.isEmpty {
                heldChannels -= 1
                if channel.subscribers == 0 { forget(channel) }
            }
        }
    }

    /// Drops the least recently published channels while over `max_channels` or `replay_bytes`.
    private func enforceLimits() -> [Eviction] {
        var evictions: [Eviction] = []
        while let reason = overLimit(), let (channel, sequence) = recency.first {
            guard isCurrent((channel, sequence)) else {
                recency.removeFirst()
                continue
            }
            if channel.lastSequence == newest {
                // The channel just published is the only one left to drop from: over
                // `replay_bytes` on its own, it keeps its newest event.
                while bytes > replayBytes ?? .max, channel.events.count > 1 { bytes -= channel.dropOldest() }
                break
            }
            recency.removeFirst()
            bytes -= channel.dropAll()
            heldChannels -= 1
            if channel.subscribers == 0 { forget(channel) }
            evictions.append(reason)
        }
        return evictions
    }

    private func overLimit() -> Eviction? {
        if heldChannels > maxChannels { return .maxChannels }
        if let replayBytes, bytes > replayBytes { return .replayBytes }
        return nil
    }

    private func isCurrent(_ entry: (channel: ChannelLog, sequence: UInt64)) -> Bool {
        entry.sequence == entry.channel.lastSequence && !entry.channel.events.isEmpty
    }

    private func create(_ name: String) -> ChannelLog {
        // What a forgotten channel held is unknown: ids up to there cannot resume exactly.
        let channel = ChannelLog(name: name, lock: lock, droppedThrough: forgottenThrough)
        channels[name] = channel
        return channel
    }

    private func forget(_ channel: ChannelLog) {
        forgottenThrough = max(forgottenThrough, channel.lastSequence)
        if channels[channel.name] === channel { channels[channel.name] = nil }
    }

    var newestSequence: UInt64 { lock.withLock { newest } }

    // MARK: Clients

    func open(channels names: [String], lastEventID: String?, fromOldest: Bool, loop: Int) -> LogCursor {
        precondition(!names.isEmpty, "a client of a channel endpoint reads at least one channel")
        return lock.withLock {
            defer { counted(channels.count) }
            var opened: [ChannelLog] = []
            var resumes: [Resume] = []
            for name in names {
                let channel = channels[name] ?? create(name)
                channel.subscribers += 1
                if channel.readersByLoop.isEmpty { channel.readersByLoop = Array(repeating: 0, count: loops) }
                channel.readersByLoop[loop] += 1
                opened.append(channel)
                resumes.append(
                    Resume.decide(
                        lastEventID: lastEventID, stamper: stamper, newest: newest,
                        window: ChannelLog.Window(channel: channel, replay: replay), channel: name))
            }
            if opened.count == 1 {
                return LogCursor(reader: opened[0], resume: resumes[0], channels: opened, loop: loop)
            }
            // Several channels: one stream in sequence order, each channel from its own start.
            let resume = Resume(
                start: resumes.map(\.start).min()!, askedToResume: resumes[0].askedToResume, gaps: resumes.flatMap(\.gaps))
            return LogCursor(
                reader: MergedChannels(channels: opened, starts: resumes.map(\.start), lock: lock), resume: resume, channels: opened,
                loop: loop)
        }
    }

    func close(_ cursor: LogCursor) {
        lock.withLock {
            for channel in cursor.channels {
                channel.subscribers -= 1
                channel.readersByLoop[cursor.loop] -= 1
                if channel.subscribers == 0 && channel.events.isEmpty { forget(channel) }
            }
            counted(channels.count)
        }
    }

    // MARK: Observing

    /// Channels known now: holding events, or read by a client.
    var count: Int { lock.withLock { channels.count } }

    /// What one channel looks like on the dashboard.
    struct Summary: Sendable, Equatable {
        var name: String
        var clients: Int
        var published: UInt64
        var held: Int
    }

    /// The `limit` channels with the most clients, and the `limit` with the most events
    /// published (ties: the other count, then the name). One pass over the channels, keeping
    /// only the best few: for the dashboard, once a second, with no copy of the whole map.
    func busiest(limit: Int) -> (byClients: [Summary], byEvents: [Summary]) {
        var byClients = TopChannels(limit: limit) { ($0.clients, $0.published, $1.name) > ($1.clients, $1.published, $0.name) }
        var byEvents = TopChannels(limit: limit) { ($0.published, $0.clients, $1.name) > ($1.published, $1.clients, $0.name) }
        lock.withLock {
            for channel in channels.values {
                if channel.subscribers > 0 { byClients.offer(channel) }
                if channel.published > 0 { byEvents.offer(channel) }
            }
        }
        return (byClients.best, byEvents.best)
    }

    /// The best `limit` channels seen, by `isBetter`, best first.
    private struct TopChannels {
        let limit: Int
        let isBetter: (Summary, Summary) -> Bool
        private(set) var best: [Summary] = []

        init(limit: Int, isBetter: @escaping (Summary, Summary) -> Bool) {
            self.limit = limit
            self.isBetter = isBetter
        }

        mutating func offer(_ channel: ChannelLog) {
            guard limit > 0 else { return }
            let candidate = Summary(
                name: channel.name, clients: channel.subscribers, published: channel.published, held: channel.events.count)
            if best.count == limit {
                guard isBetter(candidate, best[limit - 1]) else { return }
                best.removeLast()
            }
            let index = best.firstIndex { isBetter(candidate, $0) } ?? best.count
            best.insert(candidate, at: index)
        }
    }

    /// The state of one channel, or `nil` when it is not known (tests).
    func summary(of name: String) -> Summary? {
        lock.withLock {
            channels[name].map { Summary(name: $0.name, clients: $0.subscribers, published: $0.published, held: $0.events.count) }
        }
    }
}
