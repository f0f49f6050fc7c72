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
        var buffer = allocator.buffer(capacity: event.data.utf8.count + 64)
        // Until the shared codec's `SSEEncoder` lands: `id:`, `event:` (not for `message`),
        // one `data:` per line (CRLF, LF or CR end a line), a blank line. Ids and types
        // cannot hold line breaks, so those are dropped from them.
        if let id = event.id { buffer.writeString("id: \(id.filter { $0 != "\n" && $0 != "\r" && $0 != "\0" })\n") }
        if let type = event.event, type != "message" { buffer.writeString("event: \(type.filter { $0 != "\n" && $0 != "\r" })\n") }
        var line = Substring(event.data)
        while true {
            guard let breakIndex = line.firstIndex(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
                buffer.writeString("data: \(line)\n")
                break
            }
            buffer.writeString("data: \(line[..<breakIndex])\n")
            line = line[line.index(after: breakIndex)...]
        }
        buffer.writeString("\n")
        return buffer
    }
}
