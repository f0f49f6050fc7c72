import GatewayPlugin
import NIOCore

/// The fixed bytes of a stream: its opening, heartbeats and the events' encoding into a `ByteBuffer`.
enum WireFormat {
    /// `retry: N` then a `:ok` comment: the first bytes a client gets, at once.
    static func opening(retryMilliseconds: Int) -> ByteBuffer {
        ByteBuffer(string: "retry: \(retryMilliseconds)\n:ok\n\n")
    }

    /// The heartbeat comment sent on an idle stream.
    static let heartbeat = ByteBuffer(string: ": ping\n\n")

    /// Encodes `event` (whose id is already stamped) once, for every client.
    static func encode(_ event: Event, allocator: ByteBufferAllocator) -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(event.data.utf8.count + 64)
        SSEEncoder.encode(event, into: &bytes)
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return buffer
    }
}
