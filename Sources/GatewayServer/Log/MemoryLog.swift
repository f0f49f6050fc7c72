import DequeModule
import NIOConcurrencyHelpers

/// The log in memory: the newest events of an endpoint in a ring.
///
/// It keeps `replay` events for `Last-Event-ID` resume, and never fewer than
/// ``deliveryMinimum``: with `replay: 0` a client that falls a little behind is still pulled
/// forward from here rather than cut off, although no reconnecting client is replayed anything.
/// Thread-safe: its state is guarded by one lock, held only to copy events in or out.
final class MemoryLog: EventLog, @unchecked Sendable {
    /// The fewest events kept for clients in flight, whatever `replay` says.
    static let deliveryMinimum = 256

    /// Events a reconnecting client may be replayed (`replay`).
    let resumeWindow: Int
    /// Events kept.
    let capacity: Int
    private let stamper: IDStamper
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var events: Deque<PublishedEvent> = []
    private var newest: UInt64 = 0

    init(replay: Int, stamper: IDStamper) {
        self.resumeWindow = max(0, replay)
        self.capacity = max(resumeWindow, Self.deliveryMinimum)
        self.stamper = stamper
    }

    func append(_ batch: [PublishedEvent]) {
        lock.withLock {
            for event in batch {
                if events.count == capacity { events.removeFirst() }
                events.append(event)
                newest = event.sequence
            }
        }
    }

    func read(from next: UInt64, maxBytes: Int, into output: inout [PublishedEvent]) -> Bool {
        lock.withLock {
            if next > newest { return true }
            guard let oldest = events.first?.sequence, next >= oldest else { return false }
            // Sequences are contiguous in the ring, so the start is arithmetic.
            var index = Int(next - oldest)
            var bytes = 0
            while index < events.count {
                let event = events[index]
                if bytes > 0 && bytes + event.chunk.readableBytes > maxBytes { break }
                bytes += event.chunk.readableBytes
                output.append(event)
                index += 1
            }
            return true
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
            let live = newest + 1
            guard let lastEventID, !lastEventID.isEmpty else { return .from(live, askedToResume: false) }
            let oldestResumable = self.oldestResumable
            func gap(_ reason: Gap.Reason, start: UInt64) -> Resume {
                let oldestID = oldestResumable.flatMap { events[Int($0 - events.first!.sequence)].id }
                return Resume(start: start, askedToResume: true, gap: Gap(reason: reason, lastEventID: lastEventID, oldestID: oldestID))
            }
            switch stamper.mode {
            case .sequence:
                guard let parsed = IDStamper.parseSequenceID(lastEventID) else { return gap(.unknownID, start: live) }
                if parsed.epoch < stamper.epoch { return gap(.earlierRun, start: oldestResumable ?? live) }
                if parsed.epoch > stamper.epoch || parsed.sequence > newest { return gap(.unknownID, start: live) }
                // Up to date (even when nothing is held): nothing was missed.
                if parsed.sequence == newest { return .from(live, askedToResume: true) }
                if let oldestResumable, parsed.sequence + 1 >= oldestResumable {
                    return .from(parsed.sequence + 1, askedToResume: true)
                }
                return gap(.tooOld, start: oldestResumable ?? live)
            case .source:
                if let oldestResumable, let first = events.first?.sequence {
                    for index in stride(from: events.count - 1, through: Int(oldestResumable - first), by: -1)
                    where events[index].id == lastEventID {
                        return .from(events[index].sequence + 1, askedToResume: true)
                    }
                }
                return gap(.unknownID, start: live)
            }
        }
    }
}
