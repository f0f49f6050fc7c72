import NIOCore

/// An HTTP/1.1 streaming response body, in chunked transfer coding (see ``ChunkFraming``).
final class HTTP1StreamWriter: StreamTransport {
    /// The stream handler's context: writes go out from there.
    private let context: ChannelHandlerContext

    /// The heartbeat comment, framed once for every client.
    private static let heartbeat = ChunkFraming.frame(WireFormat.heartbeat)

    init(context: ChannelHandlerContext) {
        self.context = context
    }

    func write(_ event: PublishedEvent) {
        context.write(NIOAny(event.chunk), promise: nil)
    }

    func write(chunk: ByteBuffer, payloadOffset: UInt32) {
        context.write(NIOAny(chunk), promise: nil)
    }

    func write(text bytes: ByteBuffer) {
        context.write(NIOAny(ChunkFraming.frame(bytes)), promise: nil)
    }

    func writeHeartbeat() {
        context.write(NIOAny(Self.heartbeat), promise: nil)
    }

    func flush() {
        context.flush()
    }

    var isWritable: Bool { context.channel.isWritable }

    var bufferedBytes: Int {
        (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }

    func end(after last: ByteBuffer?) -> EventLoopFuture<Void> {
        if let last { write(text: last) }
        let channel = context.channel
        // Writes complete in order: once the last chunk is written, everything before it is
        // in the kernel, and closing loses nothing.
        context.writeAndFlush(NIOAny(ChunkFraming.terminator)).whenComplete { _ in channel.close(promise: nil) }
        return channel.closeFuture
    }

    var closeFuture: EventLoopFuture<Void> { context.channel.closeFuture }

    func close() {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTP1StreamWriter: Sendable {}
