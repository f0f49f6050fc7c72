import GatewayPlugin
import NIOConcurrencyHelpers
import NIOCore

/// An endpoint's log with a `snapshot` (SPEC §7): the log it wraps (memory, channels or a
/// cluster's cache) plus the latest event per key, kept as events are appended.
///
/// A client that connects without `Last-Event-ID` is placed in the wrapped log and handed the
/// state under one lock — no append falls between them — and reads them through a
/// ``SnapshotReader``: the state, the end event, then live events. Every other client (one
/// that resumes, the dashboard) is the wrapped log's alone: the usual replay.
///
/// On a clustered endpoint every instance appends the same stream in the same order, so every
/// instance holds the same state — as long as it has read the stream from its start (an
/// instance follows a snapshot endpoint's stream from its first message) and forgets what
/// the stream no longer holds: with `window`, a key whose latest event is `window` or more
/// events older than the newest is dropped, as the stream drops it.
final class SnapshotLog: EventLog, @unchecked Sendable {
    /// The log that holds the events and serves replay.
    let inner: any EventLog
    let settings: SnapshotSettings
    /// On a clustered endpoint, the events its stream keeps (`replay`); `nil` in memory.
    private let window: Int?
    private let evicted: @Sendable (Int) -> Void
    private let counted: @Sendable (Int) -> Void
    private let allocator = ByteBufferAllocator()
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var store: SnapshotStore
    /// The id of the newest event appended: the end event's, so a client that reconnects
    /// after it resumes exactly after the state.
    private var newestID: String?

    /// - Parameters:
    ///   - evicted: called with the keys dropped past `max_keys`.
    ///   - counted: called with the keys held after each append.
    init(
        wrapping inner: any EventLog, settings: SnapshotSettings, window: Int? = nil, evicted: @escaping @Sendable (Int) -> Void = { _ in },
        counted: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.inner = inner
        self.settings = settings
        self.window = window
        self.evicted = evicted
        self.counted = counted
        self.store = SnapshotStore(maxKeys: settings.maxKeys)
    }

    var newestSequence: UInt64 { inner.newestSequence }

    func append(_ events: [PublishedEvent]) {
        var routed: [[PublishedEvent]] = []
        append(events, routingInto: &routed, routes: false)
    }

    func append(_ events: [PublishedEvent], routingInto routed: inout [[PublishedEvent]]) {
        append(events, routingInto: &routed, routes: true)
    }

    private func append(_ events: [PublishedEvent], routingInto routed: inout [[PublishedEvent]], routes: Bool) {
        guard let newest = events.last else { return }
        let (dropped, held) = lock.withLock {
            var dropped = 0
            for event in events {
                guard let key = event.snapshotKey else { continue }
                dropped += store.apply(event, key: key, removes: settings.deleteOn.contains(event.type))
            }
            if let window, newest.sequence >= UInt64(window) { store.removeOlder(than: newest.sequence - UInt64(window) + 1) }
            newestID = newest.id
            // Inside the lock: a client placed after this sees both the state and the log with these events.
            if routes { inner.append(events, routingInto: &routed) } else { inner.append(events) }
            return (dropped, store.count)
        }
        if dropped > 0 { evicted(dropped) }
        counted(held)
    }

    func open(channels: [String], lastEventID: String?, fromOldest: Bool, loop: Int) -> LogCursor {
        if fromOldest || !(lastEventID ?? "").isEmpty {
            return inner.open(channels: channels, lastEventID: lastEventID, fromOldest: fromOldest, loop: loop)
        }
        return lock.withLock {
            var cursor = inner.open(channels: channels, lastEventID: nil, fromOldest: false, loop: loop)
            let seam = cursor.resume.start - 1
            var state: [PublishedEvent]
            if channels.count <= 1 {
                state = store.events(in: channels.first ?? SnapshotStore.broadcast)
            } else {
                state = channels.flatMap { store.events(in: $0) }
                state.sort { $0.sequence < $1.sequence }
            }
            let end = settings.endEvent.map { type in
                let event = Event(id: newestID, event: type, data: #"{"events":\#(state.count)}"#)
                let (chunk, offset) = ChunkFraming.encode(event, allocator: allocator)
                return PublishedEvent(sequence: seam, id: newestID, type: type, chunk: chunk, payloadOffset: offset)
            }
            let reader = SnapshotReader(state: state, end: end, seam: seam, live: cursor.reader)
            cursor.reader = reader
            cursor.resume = .from(reader.start, askedToResume: false)
            return cursor
        }
    }

    func close(_ cursor: LogCursor) {
        inner.close(cursor)
    }
}
