import NIOCore
import NIOHTTP1

/// An HTTP/2 stream's response body: each write is one DATA frame carrying the shared bytes
/// (``PublishedEvent/payload``, a slice: nothing is copied per client). The stream's channel
/// is writable while its flow-control window and its share of the connection take bytes, so
/// a slow stream is a slow client and the connection's other streams go on.
final class HTTP2StreamWriter: StreamTransport {
    private let context: ChannelHandlerContext

    private static let heartbeat = HTTPServerResponsePart.body(.byteBuffer(WireFormat.heartbeat))

    init(context: ChannelHandlerContext) {
        self.context = context
    }

    func write(_ event: PublishedEvent) {
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(event.payload))), promise: nil)
    }

    func write(chunk: ByteBuffer, payloadOffset: UInt32) {
        let payload = chunk.getSlice(at: chunk.readerIndex + Int(payloadOffset), length: chunk.readableBytes - Int(payloadOffset) - 2)!
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(payload))), promise: nil)
    }

    func write(text bytes: ByteBuffer) {
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(bytes))), promise: nil)
    }

    func writeHeartbeat() {
        context.write(NIOAny(Self.heartbeat), promise: nil)
    }

    func flush() {
        context.flush()
    }

    var isWritable: Bool { context.channel.isWritable }

    /// A stream's channel does not count its queued bytes; stalls show as a stream that stays unwritable.
    var bufferedBytes: Int { 0 }

    func end(after last: ByteBuffer?) -> EventLoopFuture<Void> {
        if let last { write(text: last) }
        let channel = context.channel
        // END_STREAM after the last bytes; the stream closes once both sides have ended.
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        return channel.closeFuture
    }

    var closeFuture: EventLoopFuture<Void> { context.channel.closeFuture }

    func close() {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTP2StreamWriter: Sendable {}
