import NIOCore

/// Compresses an endpoint's events for the gzip'd clients of one event loop, sharing the work
/// between them. Confined to the loop, like its ``LoopFanOut``.
///
/// Compressing each client's stream apart would cost a compressor's memory (about 256 KiB)
/// and a pass over every event per client. Instead there are two kinds of segment:
///
/// - **shared**: on a broadcast endpoint, the events of each drain are compressed once, in
///   order, into one deflate stream with history, so JSON events compress several-fold. A
///   client that was sent every shared segment so far can be sent the next one: its decoder
///   holds the same history. Most clients, those that keep up, are sent only these.
/// - **independent**: one event compressed alone, referring to nothing before it. Any client
///   can be sent it at any time: one that is catching up from the log, joined mid-stream,
///   filters types, or reads channels. Cached by event, so a crowd replaying the same events
///   compresses each once.
///
/// A client out of step with the shared stream is sent independent segments until the shared
/// stream makes a *join point*: a full flush, after which it refers to nothing earlier, so any
/// client can continue with it. Join points are made only when some client is waiting for one,
/// and at most every ``joinInterval`` events, since each costs the history.
final class LoopCompressor {
    /// Events between two join points when clients are waiting to join.
    static let joinInterval = 8
    /// Independent segments kept for clients pulling the same events.
    static let cacheLimit = 1024

    private let shared = Deflater()
    private let independent = Deflater()

    /// The drain under way on a broadcast endpoint: its events, and the segments made so far
    /// (a prefix: the shared stream compresses events in order).
    private var batch: [PublishedEvent] = []
    private var batchSegments: [DeflatedSegment] = []
    /// The sequence the shared stream continues with; `nil` before its first event.
    private var sharedNext: UInt64?
    /// Whether the next shared segment starts after a join point (or the stream's start).
    private var nextStartsFresh = true
    private var sinceJoin = 0
    /// A client was sent an independent segment and waits for a join point.
    private var joinWanted = false

    private var cache: [UInt64: (payload: ByteBuffer, segment: DeflatedSegment)] = [:]

    /// The heartbeat comment, compressed once.
    let heartbeat: DeflatedSegment

    init() {
        let deflater = Deflater()
        heartbeat = DeflatedSegment(compressing: WireFormat.heartbeat, with: deflater, flush: .sync, startsFresh: true)
    }

    // MARK: Drains

    /// A drain of a broadcast endpoint begins: its events may be sent as shared segments.
    func share(_ events: [PublishedEvent]) {
        batch = events
    }

    /// The drain is over: what it did not compress is not compressed.
    func endSharing() {
        // Let go of the drain's array rather than empty it: emptying a shared array allocates,
        // and the fan-out empties its own next, keeping its capacity.
        batch = []
        batchSegments.removeAll(keepingCapacity: true)
    }

    // MARK: Segments

    /// The segment to send a client for `event`, given the sequence it continues the shared
    /// stream with (`nil` when it is out of step); `shared` says whether it keeps in step.
    func segment(for event: PublishedEvent, continuing next: UInt64?) -> (segment: DeflatedSegment, shared: Bool) {
        if let segment = sharedSegment(for: event), segment.startsFresh || next == event.sequence {
            return (segment, true)
        }
        joinWanted = true
        return (independentSegment(for: event), false)
    }

    /// Bytes that are not an event (the opening, a notice), compressed alone.
    func segment(for text: ByteBuffer) -> DeflatedSegment {
        independent.reset()
        return DeflatedSegment(compressing: text, with: independent, flush: .sync, startsFresh: true)
    }

    /// `event`'s shared segment, when it is in the drain under way; compresses the drain's
    /// events up to it.
    private func sharedSegment(for event: PublishedEvent) -> DeflatedSegment? {
        guard let first = batch.first?.sequence, event.sequence >= first else { return nil }
        let index = Int(event.sequence - first)
        guard index < batch.count, batch[index].sequence == event.sequence else { return nil }
        while batchSegments.count <= index { compressNextOfBatch() }
        return batchSegments[index]
    }

    private func compressNextOfBatch() {
        let event = batch[batchSegments.count]
        if sharedNext != event.sequence {
            // The stream skipped events (a drain with no gzip'd client in step): what follows
            // must not refer to history no client holds.
            shared.reset()
            nextStartsFresh = true
            sinceJoin = 0
        }
        sinceJoin += 1
        let isLast = batchSegments.count == batch.count - 1
        let join = isLast && joinWanted && sinceJoin >= Self.joinInterval
        batchSegments.append(
            DeflatedSegment(compressing: event.payload, with: shared, flush: join ? .full : .sync, startsFresh: nextStartsFresh))
        sharedNext = event.sequence + 1
        nextStartsFresh = join
        if join {
            joinWanted = false
            sinceJoin = 0
        }
    }

    private func independentSegment(for event: PublishedEvent) -> DeflatedSegment {
        let payload = event.payload
        // The same sequence can carry other bytes (a snapshot's end event shares its sequence
        // with the event at the seam): a cached segment is used only for the same bytes.
        if let cached = cache[event.sequence], cached.payload == payload { return cached.segment }
        independent.reset()
        let segment = DeflatedSegment(compressing: payload, with: independent, flush: .sync, startsFresh: true)
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[event.sequence] = (payload, segment)
        return segment
    }
}

@available(*, unavailable)
extension LoopCompressor: Sendable {}
