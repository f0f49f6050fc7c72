import DequeModule
import NIOConcurrencyHelpers
import NIOCore

/// The log in memory: the newest events of an endpoint in a ring.
///
/// It keeps `replay` events for `Last-Event-ID` resume, and never fewer than
/// ``deliveryMinimum``: with `replay: 0` a client that falls a little behind is still pulled
/// forward from here rather than cut off, although no reconnecting client is replayed anything.
/// Beyond that count it also keeps what was published in the last few seconds (``Retention``),
/// so a burst larger than `replay` — an upstream reconnecting with a backlog, a poll's batch —
/// does not cut off clients that are still reading the one before it. That is for delivery
/// only: a reconnecting client is resumed from within `replay` events, as SPEC says.
/// Thread-safe: its state is guarded by one lock, held only to copy events in or out.
final class MemoryLog: EventLog, EventLogReader, @unchecked Sendable {
    /// The fewest events kept for clients in flight, whatever `replay` says.
    static let deliveryMinimum = 256

    /// How long recent events stay beyond the count the log must keep, and up to what size.
    /// Memory stays bounded whatever the traffic: a log grows past its count only while it
    /// holds less than ``bytes`` (events and bookkeeping), and only with recent events.
    struct Retention: Sendable {
        /// Events younger than this stay, while the log is under ``bytes``.
        var age: Duration
        /// The size up to which the log keeps recent events beyond its count.
        var bytes: Int

        /// Five seconds of traffic, up to 16 MiB per endpoint.
        static let standard = Retention(age: .seconds(5), bytes: 16 << 20)
        /// Only the count: for tests that step through eviction.
        static let countOnly = Retention(age: .zero, bytes: 0)
    }

    /// What one held event costs beyond its bytes: its entry, its buffer's header, its time.
    private static let overheadPerEvent = 128

    /// Events a reconnecting client may be replayed (`replay`).
    let resumeWindow: Int
    /// Events always kept (once published).
    let capacity: Int
    private let retention: Retention
    private let retentionNanoseconds: UInt64
    private let now: @Sendable () -> UInt64
    private let stamper: IDStamper
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var events: Deque<PublishedEvent> = []
    /// When each event in `events` was appended (monotonic nanoseconds).
    private var appended: Deque<UInt64> = []
    /// What `events` cost, by ``overheadPerEvent`` plus their bytes.
    private var bytes = 0
    private var newest: UInt64 = 0

    /// - Parameter now: a monotonic clock in nanoseconds; tests step it.
    init(
        replay: Int, stamper: IDStamper, retention: Retention = .standard,
        now: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }
    ) {
        self.resumeWindow = max(0, replay)
        self.capacity = max(resumeWindow, Self.deliveryMinimum)
        self.retention = retention
        self.retentionNanoseconds = UInt64(max(0, TimeAmount(retention.age).nanoseconds))
        self.now = now
        self.stamper = stamper
    }

    func append(_ batch: [PublishedEvent]) {
        let time = now()
        lock.withLock {
            for event in batch {
                events.append(event)
                appended.append(time)
                bytes += event.chunk.readableBytes + Self.overheadPerEvent
                newest = event.sequence
            }
            // Past the count, the oldest goes unless it is recent and the recent ones fit.
            // Times only grow, so once the oldest may stay, every younger one may too.
            while events.count > capacity {
                if time &- appended[0] < retentionNanoseconds && bytes <= retention.bytes { break }
                let oldest = events.removeFirst()
                appended.removeFirst()
                bytes -= oldest.chunk.readableBytes + Self.overheadPerEvent
            }
        }
    }

    /// Events held now (the count the log must keep, and recent ones beyond it).
    var heldCount: Int { lock.withLock { events.count } }

    func read(from next: UInt64, maxBytes: Int, into output: inout [PublishedEvent]) -> ReadOutcome {
        lock.withLock {
            if next > newest { return .served }
            guard let oldest = events.first?.sequence, next >= oldest else { return .gone }
            // Sequences are contiguous in the ring, so the start is arithmetic.
            events.copy(from: Int(next - oldest), maxBytes: maxBytes, into: &output)
            return .served
        }
    }

    var newestSequence: UInt64 { lock.withLock { newest } }

    var oldestResumableSequence: UInt64 { lock.withLock { oldestResumable ?? newest + 1 } }

    /// The oldest sequence within the resume window. Call under the lock.
    private var oldestResumable: UInt64? {
        guard resumeWindow > 0, let oldest = events.first?.sequence else { return nil }
        let windowStart = newest >= UInt64(resumeWindow) ? newest - UInt64(resumeWindow) + 1 : 1
        return max(oldest, windowStart)
    }

    func resume(from lastEventID: String?) -> Resume {
        lock.withLock {
            Resume.decide(lastEventID: lastEventID, stamper: stamper, newest: newest, window: Window(log: self))
        }
    }

    func open(channels: [String], lastEventID: String?, fromOldest: Bool, loop: Int) -> LogCursor {
        precondition(channels.isEmpty, "a broadcast endpoint has no channels")
        let resume = fromOldest ? .from(oldestResumableSequence, askedToResume: false) : self.resume(from: lastEventID)
        return LogCursor(reader: self, resume: resume, channels: [])
    }

    func close(_ cursor: LogCursor) {}

    /// The resume window, read under the lock.
    private struct Window: ResumeWindow {
        let log: MemoryLog

        var oldestResumable: (sequence: UInt64, id: String?)? {
            log.oldestResumable.map { ($0, log.events[Int($0 - log.events.first!.sequence)].id) }
        }

        func holdsEverything(after sequence: UInt64) -> Bool {
            // Sequences are contiguous: the one after `sequence` is the next event.
            if sequence >= log.newest { return true }
            guard let oldest = log.oldestResumable else { return false }
            return sequence + 1 >= oldest
        }

        func sequence(ofID id: String) -> UInt64? {
            guard let oldest = log.oldestResumable, let first = log.events.first?.sequence else { return nil }
            for index in stride(from: log.events.count - 1, through: Int(oldest - first), by: -1) where log.events[index].id == id {
                return log.events[index].sequence
            }
            return nil
        }
    }
}
