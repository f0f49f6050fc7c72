import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The log of a `log: cluster` endpoint on one instance: the newest events of the endpoint's
/// stream in memory (a cache, filled by following the stream), and the stream itself for
/// resumes older than the cache.
///
/// The cache is the endpoint's ordinary log (``MemoryLog``, or ``Channels`` per channel), keyed
/// by stream sequence with the stream's epoch in the ids, so an id from any instance is placed
/// the same way here. It holds every event of the stream from the sequence this instance
/// started following at (``floor`` + 1), up to `cluster.cache` per stream or channel; below
/// that a client is served by a ``StreamBackfill`` that reads the stream and hands over to the
/// cache. The cache exists once the stream is open (its epoch names the ids); before that a
/// client is cut off at once and comes back.
final class ClusterLog: EventLog, @unchecked Sendable {
    /// Makes the cache once the stream's epoch and the first sequence followed are known.
    typealias CacheFactory = @Sendable (_ stamper: IDStamper, _ floor: UInt64) -> any EventLog

    private let makeCache: CacheFactory
    /// Events the cache keeps (per channel on a channel endpoint): how far back an instance
    /// starts following its stream.
    let cacheEvents: Int
    private let logger: Logger
    private let lock = NIOLock()
    // Guarded by `lock`; set once by `open(stream:…)`.
    private var state: Ready?

    private struct Ready {
        let cache: any EventLog
        let stream: any ClusterStream
        let stamper: IDStamper
        /// Sequences at or below it are not in the cache (the instance started after them).
        let floor: UInt64
    }

    init(cacheEvents: Int, logger: Logger = Logger(label: "gateway"), makeCache: @escaping CacheFactory) {
        self.cacheEvents = cacheEvents
        self.logger = logger
        self.makeCache = makeCache
    }

    /// Makes the cache for `stream`, to be filled from sequence `floor + 1` on.
    func open(stream: any ClusterStream, floor: UInt64) {
        let stamper = IDStamper(mode: .sequence, epoch: stream.epoch)
        let cache = makeCache(stamper, floor)
        lock.withLock { state = Ready(cache: cache, stream: stream, stamper: stamper, floor: floor) }
    }

    /// Whether the stream is open (clients can be served).
    var isOpen: Bool { lock.withLock { state != nil } }

    /// The cache, once the stream is open.
    var cache: (any EventLog)? { lock.withLock { state?.cache } }

    /// The stream's epoch, once it is open.
    var epoch: UInt64? { lock.withLock { state?.stamper.epoch } }

    func append(_ events: [PublishedEvent]) {
        lock.withLock { state }?.cache.append(events)
    }

    func append(_ events: [PublishedEvent], routingInto routed: inout [[PublishedEvent]]) {
        lock.withLock { state }?.cache.append(events, routingInto: &routed)
    }

    var newestSequence: UInt64 { lock.withLock { state }?.cache.newestSequence ?? 0 }

    func open(channels: [String], lastEventID: String?, fromOldest: Bool, loop: Int) -> LogCursor {
        guard let ready = lock.withLock({ state }) else {
            return LogCursor(reader: NotOpen(), resume: .from(1, askedToResume: lastEventID != nil), channels: [], loop: loop)
        }
        let cache = ready.cache
        guard !fromOldest, let lastEventID, !lastEventID.isEmpty, let parsed = IDStamper.parseSequenceID(lastEventID),
            parsed.epoch <= ready.stamper.epoch
        else {
            // A plain connect, the dashboard, or an id this stream never gave: the cache's rules.
            return cache.open(channels: channels, lastEventID: lastEventID, fromOldest: fromOldest, loop: loop)
        }
        if parsed.epoch < ready.stamper.epoch {
            // The stream was made again since: the client gets the notice and everything held.
            var cursor = cache.open(channels: channels, lastEventID: nil, fromOldest: false, loop: loop)
            let gap = Gap(reason: .earlierRun, lastEventID: lastEventID, oldestID: nil, channel: channels.count == 1 ? channels[0] : nil)
            cursor.reader = StreamBackfill(
                inner: cursor.reader, stream: ready.stream, stamper: ready.stamper, channels: channels, floor: ready.floor,
                lastEventID: lastEventID, verifying: nil, logger: logger)
            cursor.resume = Resume(start: 1, askedToResume: true, gap: gap)
            return cursor
        }
        let sequence = parsed.sequence
        // Checked first: right after start-up the cache may not yet hold the first events it follows.
        if sequence <= ready.floor { return backfill(from: sequence, ready: ready, channels: channels, lastEventID: lastEventID, loop: loop) }
        if sequence > cache.newestSequence {
            // An id another instance already sent (this one follows a little behind), or one this
            // instance has not yet caught up to after starting: the client waits for what follows it.
            var cursor = cache.open(channels: channels, lastEventID: nil, fromOldest: false, loop: loop)
            cursor.resume = .from(sequence + 1, askedToResume: true)
            return cursor
        }
        let cursor = cache.open(channels: channels, lastEventID: lastEventID, fromOldest: false, loop: loop)
        if !cursor.resume.gaps.contains(where: { $0.reason == .tooOld }) { return cursor }
        cache.close(cursor)
        return backfill(from: sequence, ready: ready, channels: channels, lastEventID: lastEventID, loop: loop)
    }

    /// A client whose last event is older than the cache: read from the stream, from that event
    /// on, so that a gap is noticed (the event is no longer there), then from the cache.
    private func backfill(from sequence: UInt64, ready: Ready, channels: [String], lastEventID: String, loop: Int) -> LogCursor {
        var cursor = ready.cache.open(channels: channels, lastEventID: nil, fromOldest: false, loop: loop)
        cursor.reader = StreamBackfill(
            inner: cursor.reader, stream: ready.stream, stamper: ready.stamper, channels: channels, floor: ready.floor,
            lastEventID: lastEventID, verifying: sequence, logger: logger)
        cursor.resume = .from(sequence + 1, askedToResume: true)
        return cursor
    }

    func close(_ cursor: LogCursor) {
        lock.withLock { state }?.cache.close(cursor)
    }

    /// The reader of a client that arrived before the stream was open: cut off at once (it
    /// reconnects after `retry`, by then served).
    private final class NotOpen: EventLogReader {
        func read(from next: UInt64, maxBytes: Int, into events: inout [PublishedEvent]) -> ReadOutcome { .gone }
    }
}
