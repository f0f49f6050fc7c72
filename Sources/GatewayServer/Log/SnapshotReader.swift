/// A client's stream on a `snapshot` endpoint when it connected without `Last-Event-ID`:
/// the state's events, then the end event, then the log from just after the state.
///
/// The state was taken under the same lock as the client's place in the log, both as of
/// sequence ``seam``: the state holds every key's latest event up to it, the log's reader
/// serves from `seam + 1`. So nothing falls between them and nothing is sent twice. The
/// end event carries sequence ``seam`` and is always appended in the same read as the last
/// state event, so the client's cursor moves past it to `seam + 1` — even when the last state
/// event is itself at the seam. Reads are stateless (found by sequence), like every reader.
final class SnapshotReader: EventLogReader, @unchecked Sendable {
    /// The state, in sequence order; every sequence at most ``seam``.
    let state: [PublishedEvent]
    /// The event after the state (`end_event`), or `nil` for none.
    let end: PublishedEvent?
    /// The newest sequence the state includes.
    let seam: UInt64
    /// The log, read from `seam + 1` on.
    let live: any EventLogReader

    init(state: [PublishedEvent], end: PublishedEvent?, seam: UInt64, live: any EventLogReader) {
        self.state = state
        self.end = end
        self.seam = seam
        self.live = live
    }

    /// Where the client starts: the first state event, else the end event, else the log.
    var start: UInt64 {
        state.first?.sequence ?? (end != nil ? seam : seam + 1)
    }

    func read(from next: UInt64, maxBytes: Int, into events: inout [PublishedEvent]) -> ReadOutcome {
        guard next <= seam else { return live.read(from: next, maxBytes: maxBytes, into: &events) }
        var index = firstIndex(atOrAfter: next)
        if index == state.count && end == nil {
            return live.read(from: seam + 1, maxBytes: maxBytes, into: &events)
        }
        var bytes = 0
        while index < state.count {
            let event = state[index]
            if bytes > 0 && bytes + event.chunk.readableBytes > maxBytes { return .served }
            bytes += event.chunk.readableBytes
            events.append(event)
            index += 1
        }
        if let end { events.append(end) }
        return .served
    }

    func notifyWhenReadable(_ wake: @escaping @Sendable () -> Void) {
        live.notifyWhenReadable(wake)
    }

    /// The index of the first state event at or after `sequence` (binary search).
    private func firstIndex(atOrAfter sequence: UInt64) -> Int {
        var low = 0
        var high = state.count
        while low < high {
            let middle = (low + high) / 2
            if state[middle].sequence < sequence { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
