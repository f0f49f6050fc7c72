import NIOCore

/// How a stream's bytes reach one client: the seam between delivery and the wire protocol.
///
/// Delivery decides *what* a client is sent and *when* (``LoopFanOut``); a writer only puts
/// bytes on its connection. An HTTP/1.1 response (``HTTP1StreamWriter``) is the first; an
/// HTTP/2 stream can be another. Called on the client's event loop only.
protocol ClientWriter: AnyObject {
    /// Queues one published event (its shared bytes; nothing is copied per client).
    func write(_ event: PublishedEvent)
    /// Queues SSE bytes that are not a published event: the opening, a notice.
    func write(text bytes: ByteBuffer)
    /// Queues the heartbeat comment.
    func writeHeartbeat()
    /// Sends what was queued.
    func flush()
    /// Whether the connection takes more bytes now without going over the client's budget.
    var isWritable: Bool { get }
    /// Bytes queued in the gateway that the connection has not yet taken.
    var bufferedBytes: Int { get }
    /// Ends the stream cleanly after what is queued, then closes; succeeds once closed.
    func end() -> EventLoopFuture<Void>
    /// Succeeds once the connection is closed, whoever closed it.
    var closeFuture: EventLoopFuture<Void> { get }
    /// Closes at once, dropping what is queued.
    func close()
}
