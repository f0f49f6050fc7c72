/// An endpoint's log: every event it published, in order, each once, read by every client.
///
/// Clients are cursors into it (DESIGN.md "The endpoint's log, and clients as cursors"): a
/// client that keeps up is pushed each batch; one that falls behind is pulled forward from
/// here as its socket drains, and is cut off only when the events it needs have left. The
/// in-memory ring (``MemoryLog``) is the first implementation; a cluster stream is the next.
///
/// One writer (the endpoint's executor) appends; any event loop reads. Implementations are
/// thread-safe and never block on I/O.
protocol EventLog: AnyObject, Sendable {
    /// Appends events whose sequences follow ``newestSequence`` without a hole.
    func append(_ events: [PublishedEvent])

    /// Appends to `into` the events from sequence `next` on, at least one when there is one and
    /// then while their bytes stay within `maxBytes`. Returns `false` when `next` has already
    /// left the log (the reader can no longer be served without a gap).
    func read(from next: UInt64, maxBytes: Int, into events: inout [PublishedEvent]) -> Bool

    /// The sequence of the newest event (0 before the first).
    var newestSequence: UInt64 { get }

    /// Where a client that sent `lastEventID` (or none) starts, by SPEC §3's rules.
    func resume(from lastEventID: String?) -> Resume

    /// The first sequence a client that wants everything held starts at.
    var oldestResumableSequence: UInt64 { get }
}
