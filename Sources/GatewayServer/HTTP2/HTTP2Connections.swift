import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP2

/// The HTTP/2 connections open now, so that stopping can tell each one with GOAWAY
/// (RFC 9113 §6.8): its client opens no new stream on it, and the connection closes once the
/// streams it carries have ended.
final class HTTP2Connections: Sendable {
    /// Streams one connection may carry at once (`SETTINGS_MAX_CONCURRENT_STREAMS`): every
    /// EventSource of a page shares the connection; past this a browser queues new streams.
    static let maxConcurrentStreams = 100
    /// The largest request header block (`SETTINGS_MAX_HEADER_LIST_SIZE`), as over HTTP/1.1.
    static let maxHeaderListSize = 16 * 1024
    /// A connection told to go away closes after this even if a stream lingers.
    static let goAwayGrace: TimeAmount = .seconds(5)

    /// Bytes one stream may have waiting in the connection (for its flow-control window or the
    /// socket) before it is *behind*: its share of `client_buffer`, as an HTTP/1.1 client's queue.
    let streamHighWaterMark: Int
    let streamLowWaterMark: Int

    private let open = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    private let stopping = NIOLockedValueBox(false)

    init(buffer: ClientBuffer) {
        streamHighWaterMark = buffer.highWaterMark
        streamLowWaterMark = buffer.lowWaterMark
    }

    /// Tracks `channel` until it closes; told at once when the server is already stopping.
    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        open.withLockedValue { $0[key] = channel }
        channel.closeFuture.whenComplete { [open] _ in _ = open.withLockedValue { $0.removeValue(forKey: key) } }
        if stopping.withLockedValue({ $0 }) { Self.tellToGoAway(channel) }
    }

    /// Sends GOAWAY on every connection: the server is stopping.
    func goAway() {
        stopping.withLockedValue { $0 = true }
        for channel in open.withLockedValue({ Array($0.values) }) { Self.tellToGoAway(channel) }
    }

    /// Returns once every connection has closed (each closes within ``goAwayGrace`` of
    /// ``goAway()``).
    func closed() async {
        for channel in open.withLockedValue({ Array($0.values) }) { try? await channel.closeFuture.get() }
    }

    private static func tellToGoAway(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(GoAway())
    }

    /// The user event that makes ``HTTP2ConnectionLifecycle`` send GOAWAY.
    struct GoAway: Sendable {}

    /// The connection settings sent in the preface.
    var connectionConfiguration: NIOHTTP2Handler.ConnectionConfiguration {
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: Self.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: Self.maxHeaderListSize),
        ]
        return configuration
    }

    /// Each stream's buffer marks.
    var streamConfiguration: NIOHTTP2Handler.StreamConfiguration {
        var configuration = NIOHTTP2Handler.StreamConfiguration()
        configuration.outboundBufferSizeHighWatermark = streamHighWaterMark
        configuration.outboundBufferSizeLowWatermark = streamLowWaterMark
        return configuration
    }
}
