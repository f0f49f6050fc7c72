import NIOCore
import NIOHTTP1
import NIOHTTP2

/// Makes a connection speak HTTP/2 (after ALPN chose `h2`, or on a plain port's connection
/// preface): the HTTP/2 handler, each stream a channel of its own that reads as an HTTP/1
/// exchange (`HTTP2FramePayloadToHTTP1ServerCodec`) and is served by a ``ConnectionHandler``
/// like any connection — every stream is one client. In front of HTTP/2's handler a
/// ``FlushCoalescer`` makes the flushes of a drain's streams one write per connection.
enum HTTP2Setup {
    static func configure(
        _ pipeline: ChannelPipeline.SynchronousOperations, channel: any Channel, server: ServerContext, connections: HTTP2Connections,
        isOverflow: Bool, position: ChannelPipeline.SynchronousOperations.Position = .last
    ) throws {
        let lifecycle = HTTP2ConnectionLifecycle()
        let http2 = NIOHTTP2Handler(
            mode: .server, eventLoop: channel.eventLoop, connectionConfiguration: connections.connectionConfiguration,
            streamConfiguration: connections.streamConfiguration,
            streamDelegate: HTTP2ConnectionLifecycle.StreamDelegate(lifecycle: NIOLoopBound(lifecycle, eventLoop: channel.eventLoop))
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                let streamPipeline = stream.pipeline.syncOperations
                try streamPipeline.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                try streamPipeline.addHandler(ConnectionHandler(server: server, decoder: nil, isOverflow: isOverflow, wire: .http2))
            }
        }
        let coalescer = FlushCoalescer()
        try pipeline.addHandler(coalescer, position: position)
        try pipeline.addHandler(http2, position: .after(coalescer))
        // Right behind HTTP/2's handler: it sees the streams open and close, and writes GOAWAY through it.
        try pipeline.addHandler(lifecycle, position: .after(http2))
        connections.add(channel)
        server.metrics.http2Connection()
    }
}
