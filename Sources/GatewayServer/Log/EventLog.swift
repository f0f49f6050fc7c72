/// An endpoint's log: every event it published, in order, each once, read by every client.
///
/// Clients are cursors into it (DESIGN.md "The endpoint's log, and clients as cursors"): a
/// client that keeps up is pushed each batch; one that falls behind is pulled forward from
/// here as its socket drains, and is cut off only when the events it needs have left. A
/// broadcast endpoint keeps one stream (``MemoryLog``); a channel endpoint one per channel
/// (``Channels``), and a client reads the channels it asked for. A cluster stream is next.
///
/// One writer (the endpoint's executor) appends; any event loop reads. Implementations are
/// thread-safe and never block on I/O.
protocol EventLog: AnyObject, Sendable {
    /// Appends events in sequence order, each sequence above the last appended.
    func append(_ events: [PublishedEvent])

    /// Appends events and adds each to `routed[loop]` for every event loop that has a reader of
    /// its channel (a log of channels); other logs leave `routed` alone and every loop gets the
    /// whole batch.
    func append(_ events: [PublishedEvent], routingInto routed: inout [[PublishedEvent]])

    /// The newest sequence appended (0 before the first).
    var newestSequence: UInt64 { get }

    /// Places a client that reads `channels` (none: the whole endpoint, the only choice on a
    /// broadcast endpoint) and sent `lastEventID`: where it starts, by SPEC §3's rules, and
    /// what it reads from. Pair with ``close(_:)`` when the client leaves.
    /// - Parameters:
    ///   - fromOldest: start at the oldest event held whatever the client sent (the dashboard).
    ///   - loop: the index of the client's event loop among the endpoint's fan-outs: a log of
    ///     channels sends each event only to the loops that have readers of its channel.
    func open(channels: [String], lastEventID: String?, fromOldest: Bool, loop: Int) -> LogCursor

    /// The client placed with `cursor` has left.
    func close(_ cursor: LogCursor)
}

/// Reads one client's stream from the log: the whole endpoint, one channel, or several merged.
protocol EventLogReader: AnyObject, Sendable {
    /// Appends to `into` the events from sequence `next` on, at least one when there is one and
    /// then while their bytes stay within `maxBytes`, and says how that went (``ReadOutcome``).
    func read(from next: UInt64, maxBytes: Int, into events: inout [PublishedEvent]) -> ReadOutcome

    /// After a read answered ``ReadOutcome/waiting``: calls `wake` (on any thread) once the
    /// reader can be read again. Readers in memory never wait.
    func notifyWhenReadable(_ wake: @escaping @Sendable () -> Void)
}

extension EventLog {
    func append(_ events: [PublishedEvent], routingInto routed: inout [[PublishedEvent]]) { append(events) }
}

extension EventLogReader {
    func notifyWhenReadable(_ wake: @escaping @Sendable () -> Void) { wake() }
}

/// What one read of the log gave.
enum ReadOutcome: Equatable, Sendable {
    /// The events from `next` on were appended (none: the reader is up to date).
    case served
    /// An event at or after `next` has already left the log: the reader cannot be served
    /// without a gap, and is cut off so that it resumes (and learns of the gap).
    case gone
    /// The events are being fetched (from a cluster's engine); read again once woken.
    case waiting
    /// The events from `next` on are not all held: tell the client of `Gap` (the `reset`
    /// event), then read on from the oldest held.
    case gap(Gap)
}

/// A client's place in an endpoint's log.
struct LogCursor: Sendable {
    /// Where its events come from.
    var reader: any EventLogReader
    /// Where it starts, and any gap to tell it of.
    var resume: Resume
    /// The channels it reads, in the order it asked; empty on a broadcast endpoint.
    var channels: [ChannelLog]
    /// The index of its event loop (see ``EventLog/open(channels:lastEventID:fromOldest:loop:)``).
    var loop: Int = 0
}
