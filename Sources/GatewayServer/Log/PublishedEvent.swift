import NIOCore

/// One event as an endpoint published it: its place in the log, id, type and wire bytes.
///
/// The bytes are encoded once, already framed as one HTTP/1.1 chunk, and shared by every
/// client and by the log; ``payload`` is the same storage without the framing, for writers
/// that frame differently (an HTTP/2 stream's DATA frames).
struct PublishedEvent: Sendable {
    /// The endpoint's running count: strictly increasing and contiguous within a run.
    var sequence: UInt64
    /// The id the client sees (`nil` when the event has none, possible with `ids: source`).
    var id: String?
    /// The event type (`message` when none was set).
    var type: String
    /// The SSE bytes framed as one chunk: `<hex length>\r\n<event>\r\n`.
    var chunk: ByteBuffer
    /// Where the SSE bytes start in ``chunk``.
    var payloadOffset: UInt32
    /// The channel it was published to, on a channel endpoint; `nil` on a broadcast one.
    var channel: String? = nil
    /// Its key on an endpoint with a `snapshot` (``SnapshotLog``); `nil` there when it has
    /// none, and everywhere else.
    var snapshotKey: String? = nil
    /// When it arrived at this gateway (monotonic clock): when its source handed it over, a
    /// transform emitted it from a timer, or the cluster's stream delivered it to this instance.
    /// The start of `gateway_delivery_seconds`; zero for events read back from a cluster's
    /// stream, which are only ever pulled and so never observed.
    var arrival: NIODeadline = .uptimeNanoseconds(0)

    /// The SSE bytes alone (a slice of ``chunk``, not a copy).
    var payload: ByteBuffer {
        chunk.getSlice(at: chunk.readerIndex + Int(payloadOffset), length: chunk.readableBytes - Int(payloadOffset) - 2)!
    }
}

extension RandomAccessCollection where Element == PublishedEvent, Index == Int {
    /// Appends to `output` the events from index `start` on: the first whatever its size, then
    /// while their bytes stay within `maxBytes` (a reader's pull of the log).
    func copy(from start: Int, maxBytes: Int, into output: inout [PublishedEvent]) {
        var index = start
        var bytes = 0
        while index < endIndex {
            let event = self[index]
            if bytes > 0 && bytes + event.chunk.readableBytes > maxBytes { return }
            bytes += event.chunk.readableBytes
            output.append(event)
            index += 1
        }
    }
}
