import DequeModule
import NIOCore

/// One event as an endpoint sent it: its position, id, type and encoded bytes.
///
/// The bytes are encoded once and shared by every client and by the replay ring.
struct PublishedEvent: Sendable {
    /// The endpoint's own running count; strictly increasing, never reused within a run.
    var sequence: UInt64
    /// The id the client sees (`nil` when the event has none, possible with `ids: source`).
    var id: String?
    /// The event type (`message` when none was set).
    var type: String
    /// The SSE bytes of the event.
    var bytes: ByteBuffer
}

/// The last `capacity` events of an endpoint, for `Last-Event-ID` resume.
struct ReplayRing: Sendable {
    /// How many events are kept; 0 keeps none.
    let capacity: Int
    private var events: Deque<PublishedEvent> = []

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The events held, oldest first.
    var held: Deque<PublishedEvent> { events }

    /// The oldest sequence held, or `nil` when empty.
    var oldestSequence: UInt64? { events.first?.sequence }

    /// Adds an event, forgetting the oldest one when full.
    mutating func append(_ event: PublishedEvent) {
        guard capacity > 0 else { return }
        if events.count == capacity { events.removeFirst() }
        events.append(event)
    }

    /// The events with a sequence greater than `sequence`, oldest first.
    func events(after sequence: UInt64) -> [PublishedEvent] {
        // Sequences are contiguous in the ring, so the start index is arithmetic.
        guard let oldest = events.first?.sequence else { return [] }
        if sequence < oldest { return Array(events) }
        let skip = Int(sequence - oldest) + 1
        if skip >= events.count { return [] }
        return Array(events.dropFirst(skip))
    }

    /// The sequence of the newest event whose id is `id`, searching from the newest.
    func sequence(ofID id: String) -> UInt64? {
        for event in events.reversed() where event.id == id {
            return event.sequence
        }
        return nil
    }
}
