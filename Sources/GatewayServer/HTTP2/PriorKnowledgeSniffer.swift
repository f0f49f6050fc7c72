import NIOCore

/// On a plain port, tells HTTP/2 with prior knowledge (h2c, RFC 9113 §3.3) from HTTP/1.1 by
/// the connection's first bytes: the HTTP/2 connection preface, or anything else.
///
/// Sits in front of the HTTP/1.1 handlers, which are in place from the start (so a plain
/// connection is timed and served exactly as without HTTP/2). On the preface it swaps them
/// for HTTP/2's; either way it passes the bytes on and leaves.
final class PriorKnowledgeSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The client's connection preface.
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// The HTTP/1.1 handlers to remove when the client speaks HTTP/2.
    private let http1Handlers: [any RemovableChannelHandler]
    /// Makes the connection speak HTTP/2, its handlers at the position given.
    private let configureHTTP2: (any Channel, ChannelPipeline.SynchronousOperations, ChannelPipeline.SynchronousOperations.Position) throws -> Void
    private var received: ByteBuffer?

    init(
        http1Handlers: [any RemovableChannelHandler],
        configureHTTP2:
            @escaping (any Channel, ChannelPipeline.SynchronousOperations, ChannelPipeline.SynchronousOperations.Position) throws -> Void
    ) {
        self.http1Handlers = http1Handlers
        self.configureHTTP2 = configureHTTP2
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = received {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        let count = min(bytes.readableBytes, Self.preface.count)
        let matches = bytes.readableBytesView.prefix(count).elementsEqual(Self.preface.prefix(count))
        if matches && count < Self.preface.count {
            // Still could be either: wait for the rest of the preface.
            received = bytes
            return
        }
        received = nil
        let pipeline = context.pipeline.syncOperations
        if matches {
            do {
                // Right behind this one: the HTTP/1.1 decoder leaves only once it is not decoding.
                try configureHTTP2(context.channel, pipeline, .after(self))
                for handler in http1Handlers { pipeline.removeHandler(handler, promise: nil) }
            } catch {
                context.close(promise: nil)
                return
            }
        }
        context.fireChannelRead(wrapInboundOut(bytes))
        pipeline.removeHandler(self, promise: nil)
    }
}

@available(*, unavailable)
extension PriorKnowledgeSniffer: Sendable {}
