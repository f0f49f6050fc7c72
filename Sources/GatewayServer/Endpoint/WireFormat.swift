import GatewayPlugin
import NIOCore

/// The bytes of a stream: its opening, heartbeats and events, from the shared ``SSEEncoder``.
enum WireFormat {
    /// `retry: N` then a `:ok` comment: the first bytes a client gets, at once, so proxies
    /// and browsers see the stream open before any event.
    static func opening(retryMilliseconds: Int) -> ByteBuffer {
        var bytes: [UInt8] = []
        SSEEncoder.retry(milliseconds: retryMilliseconds, into: &bytes)
        bytes.append(contentsOf: ":ok\n\n".utf8)
        return ByteBuffer(bytes: bytes)
    }

    /// The heartbeat comment sent on an idle stream.
    static let heartbeat: ByteBuffer = {
        var bytes: [UInt8] = []
        SSEEncoder.comment("ping", into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: bytes)
    }()

    /// Encodes `event` (whose id is already stamped) once, for every client.
    static func encode(_ event: Event, allocator: ByteBufferAllocator) -> ByteBuffer {
        let bytes = SSEEncoder.encode(event)
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return buffer
    }
}
