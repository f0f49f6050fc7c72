import DequeModule
import NIOConcurrencyHelpers

/// One channel of a channel endpoint: its newest events, read by the clients of the channel.
///
/// Its events carry the endpoint's sequence numbers, so they increase but skip (the other
/// channels' events fall between). What it no longer holds it remembers as one number,
/// ``droppedThrough``: a reader whose next event is at or below it has missed something.
/// Its state is guarded by the lock of its endpoint's ``Channels``, which creates, fills and
/// drops it; a channel is kept while it holds events or has clients.
final class ChannelLog: EventLogReader, @unchecked Sendable {
    /// The channel's name (the decoded path segment, or the event's key).
    let name: String
    private let lock: NIOLock

    /// One held event, and when it was appended (monotonic nanoseconds) for the retention of
    /// recent events.
    struct Held {
        var event: PublishedEvent
        var appended: UInt64
    }

    // Guarded by `lock`.
    /// The events held, oldest first.
    var events: Deque<Held> = []
    /// The newest sequence of this channel that is no longer held (0 when none).
    var droppedThrough: UInt64
    /// The newest sequence published on this channel, held or not (0 before the first).
    var lastSequence: UInt64 = 0
    /// Events published on this channel since it was created.
    var published: UInt64 = 0
    /// What ``events`` cost (see ``Channels``).
    var bytes = 0
    /// Clients reading this channel.
    var subscribers = 0
    /// Clients reading this channel per event loop (by the loop's index); empty until the first.
    var readersByLoop: [Int32] = []

    init(name: String, lock: NIOLock, droppedThrough: UInt64) {
        self.name = name
        self.lock = lock
        self.droppedThrough = droppedThrough
    }

    func read(from next: UInt64, maxBytes: Int, into output: inout [PublishedEvent]) -> ReadOutcome {
        lock.withLock { collect(from: next, maxBytes: maxBytes, into: &output).served ? .served : .gone }
    }

    /// ``read(from:maxBytes:into:)`` with the lock held; also says whether every event from
    /// `next` on was taken (`complete`), which a merge of several channels needs.
    func collect(from next: UInt64, maxBytes: Int, into output: inout [PublishedEvent]) -> (served: Bool, complete: Bool) {
        if next <= droppedThrough { return (false, false) }
        var index = firstIndex(atOrAfter: next)
        var bytes = 0
        while index < events.count {
            let event = events[index].event
            if bytes > 0 && bytes + event.chunk.readableBytes > maxBytes { return (true, false) }
            bytes += event.chunk.readableBytes
            output.append(event)
            index += 1
        }
        return (true, true)
    }

    /// The index of the first held event whose sequence is at least `sequence`.
    private func firstIndex(atOrAfter sequence: UInt64) -> Int {
        var low = 0
        var high = events.count
        while low < high {
            let middle = (low + high) / 2
            if events[middle].event.sequence < sequence { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Drops the oldest held event; returns what it cost.
    func dropOldest() -> Int {
        let oldest = events.removeFirst()
        droppedThrough = oldest.event.sequence
        let cost = Channels.cost(of: oldest.event)
        bytes -= cost
        return cost
    }

    /// Drops every held event; returns what they cost.
    func dropAll() -> Int {
        let cost = bytes
        if !events.isEmpty { droppedThrough = lastSequence }
        events.removeAll()
        bytes = 0
        return cost
    }

    /// The resume window: the newest `replay` events held. Read under the lock.
    struct Window: ResumeWindow {
        let channel: ChannelLog
        let replay: Int

        /// Where the window starts in ``events``.
        private var start: Int { max(0, channel.events.count - replay) }

        var oldestResumable: (sequence: UInt64, id: String?)? {
            guard replay > 0, start < channel.events.count else { return nil }
            let event = channel.events[start].event
            return (event.sequence, event.id)
        }

        func holdsEverything(after sequence: UInt64) -> Bool {
            // Nothing after it dropped, and nothing after it held outside the window.
            guard channel.droppedThrough <= sequence else { return false }
            return start == 0 || channel.events[start - 1].event.sequence <= sequence
        }

        func sequence(ofID id: String) -> UInt64? {
            let events = channel.events
            for index in stride(from: events.count - 1, through: start, by: -1) where events[index].event.id == id {
                return events[index].event.sequence
            }
            return nil
        }
    }
}
