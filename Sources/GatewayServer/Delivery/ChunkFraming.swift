import NIOCore

/// HTTP/1.1 chunked transfer coding (RFC 9112 §7.1) for event streams.
///
/// A close-delimited body would save the framing, but some clients then hold bytes back until
/// more arrive (Python's `requests` waits for 512 bytes before it yields a line), so an event
/// on a quiet stream reaches them late. Framing every event as its own chunk, once when it is
/// encoded, keeps one shared buffer per event for every client, and the terminating chunk
/// lets a client tell a stream the gateway ended from a connection that broke.
enum ChunkFraming {
    /// The last chunk: the body is complete.
    static let terminator = ByteBuffer(string: "0\r\n\r\n")

    /// `bytes` framed as one chunk.
    static func frame(_ bytes: [UInt8], allocator: ByteBufferAllocator) -> (chunk: ByteBuffer, payloadOffset: UInt32) {
        var buffer = allocator.buffer(capacity: bytes.count + 12)
        let offset = writeHeader(length: bytes.count, into: &buffer)
        buffer.writeBytes(bytes)
        buffer.writeStaticString("\r\n")
        return (buffer, UInt32(offset))
    }

    /// `bytes` framed as one chunk (for the opening, comments and notices).
    static func frame(_ bytes: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.readableBytes + 12)
        _ = writeHeader(length: bytes.readableBytes, into: &buffer)
        buffer.writeImmutableBuffer(bytes)
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// Writes `<hex length>\r\n`; returns its length.
    private static func writeHeader(length: Int, into buffer: inout ByteBuffer) -> Int {
        buffer.writeString(String(length, radix: 16)) + buffer.writeStaticString("\r\n")
    }
}
