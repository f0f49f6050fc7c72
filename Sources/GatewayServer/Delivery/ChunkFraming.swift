import GatewayPlugin
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

    /// Room before an event's SSE bytes for its chunk header: up to 8 hex digits and CR LF,
    /// so chunks up to 4 GiB.
    private static let headerRoom = 10

    /// Encodes `event` as one chunk, in one buffer and one pass (see ``encode(capacity:_:)``).
    static func encode(_ event: Event, allocator: ByteBufferAllocator) -> (chunk: ByteBuffer, payloadOffset: UInt32) {
        let estimate = event.data.utf8.count + (event.id?.utf8.count ?? 0) + (event.event?.utf8.count ?? 0) + 24
        return encode(capacity: estimate, allocator: allocator) { buffer in
            // Moved in and out rather than copied: the buffer keeps one owner, so no write copies it.
            var output = ByteBufferOutput(buffer: ByteBuffer())
            swap(&output.buffer, &buffer)
            SSEEncoder.encode(event, into: &output)
            swap(&output.buffer, &buffer)
        }
    }

    /// One chunk whose payload `writePayload` appends to the buffer it is given: the payload is
    /// written after room for the chunk header, and the header, once the length is known, right
    /// before it (the chunk starts wherever it begins: no leading zeros, no copy).
    static func encode(
        capacity: Int, allocator: ByteBufferAllocator = ByteBufferAllocator(), _ writePayload: (inout ByteBuffer) -> Void
    ) -> (chunk: ByteBuffer, payloadOffset: UInt32) {
        var buffer = allocator.buffer(capacity: headerRoom + capacity + 2)
        buffer.moveWriterIndex(forwardBy: headerRoom)
        writePayload(&buffer)
        buffer.writeStaticString("\r\n")
        let length = buffer.writerIndex - headerRoom - 2
        let header = String(length, radix: 16) + "\r\n"
        let start = headerRoom - header.utf8.count
        buffer.setString(header, at: start)
        buffer.moveReaderIndex(to: start)
        return (buffer, UInt32(header.utf8.count))
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

/// A `ByteBuffer` as the SSE encoder's output.
struct ByteBufferOutput: SSEOutput {
    var buffer: ByteBuffer

    mutating func append(_ byte: UInt8) { buffer.writeInteger(byte) }
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) { buffer.writeBytes(bytes) }
}
