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

    /// Encodes `event` as one chunk, in one buffer and one pass: the SSE bytes are written
    /// after room for the chunk header, and the header, once their length is known, right
    /// before them (the chunk starts wherever it begins: no leading zeros, no copy).
    static func encode(_ event: Event, allocator: ByteBufferAllocator) -> (chunk: ByteBuffer, payloadOffset: UInt32) {
        let estimate = event.data.utf8.count + (event.id?.utf8.count ?? 0) + (event.event?.utf8.count ?? 0) + 24
        var output = ByteBufferOutput(buffer: allocator.buffer(capacity: headerRoom + estimate))
        output.buffer.moveWriterIndex(forwardBy: headerRoom)
        SSEEncoder.encode(event, into: &output)
        output.buffer.writeStaticString("\r\n")
        let length = output.buffer.writerIndex - headerRoom - 2
        let header = String(length, radix: 16) + "\r\n"
        let start = headerRoom - header.utf8.count
        output.buffer.setString(header, at: start)
        output.buffer.moveReaderIndex(to: start)
        return (output.buffer, UInt32(header.utf8.count))
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
