import NIOCore

/// A stream's connection as a carrier of bytes that are not plain events: what a writer that
/// re-encodes a stream (``GzipStreamWriter``) writes through. HTTP/1.1 and HTTP/2 streams are both.
protocol StreamTransport: ClientWriter {
    /// Queues bytes framed once as an HTTP/1.1 chunk and shared between clients: the chunk as
    /// it is, or its payload (from `payloadOffset`, less the closing CR LF) for other framings.
    func write(chunk: ByteBuffer, payloadOffset: UInt32)
    /// Ends the stream cleanly after what is queued and `last` (if any), then closes; succeeds once closed.
    func end(after last: ByteBuffer?) -> EventLoopFuture<Void>
}

extension StreamTransport {
    func end() -> EventLoopFuture<Void> { end(after: nil) }
}
