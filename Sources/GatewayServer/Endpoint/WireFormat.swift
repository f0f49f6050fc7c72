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

    /// The gap notice of SPEC §3: an event of type `type`, with no `id:` (so the client's last
    /// event id stays), whose data says why its `Last-Event-ID` could not be honoured exactly.
    static func reset(_ gap: Gap, type: String) -> ByteBuffer {
        var json = "{\"reason\":\"\(gap.reason.rawValue)\",\"last_event_id\":"
        json += JSONValue.string(gap.lastEventID).serialized
        json += ",\"oldest\":" + (gap.oldestID.map { JSONValue.string($0).serialized } ?? "null")
        if let channel = gap.channel { json += ",\"channel\":" + JSONValue.string(channel).serialized }
        json += "}"
        return ByteBuffer(bytes: SSEEncoder.encode(Event(event: type, data: json)))
    }
}
