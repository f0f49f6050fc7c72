import NIOCore
import NIOHTTP2

/// Follows one HTTP/2 connection's streams and ends it when the server stops: GOAWAY first, so
/// the client opens nothing new on it, then — once its last stream has ended (the endpoints end
/// every stream cleanly as they stop) — a last GOAWAY naming the last stream served, and close
/// when that is written, so the streams' last bytes go out first. Or after
/// ``HTTP2Connections/goAwayGrace``, whatever lingers.
final class HTTP2ConnectionLifecycle: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var lastStream: HTTP2StreamID = .rootStream
    private var goingAway = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// The connection's own frames (SETTINGS, PING, …) are HTTP/2's business, answered by its
    /// handler: they go no further (behind this handler there may still be the HTTP/1.1
    /// handlers a plain connection started with, on their way out).
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is HTTP2Connections.GoAway { goAway(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    fileprivate func streamCreated(_ id: HTTP2StreamID) {
        openStreams += 1
        lastStream = max(lastStream, id)
    }

    fileprivate func streamClosed() {
        openStreams -= 1
        if goingAway, openStreams <= 0, let context { closeAfterLastGoAway(context: context) }
    }

    private func goAway(context: ChannelHandlerContext) {
        guard !goingAway else { return }
        goingAway = true
        let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        if openStreams <= 0 {
            closeAfterLastGoAway(context: context)
            return
        }
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: HTTP2Connections.goAwayGrace) { channel.close(promise: nil) }
    }

    private func closeAfterLastGoAway(context: ChannelHandlerContext) {
        let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: lastStream, errorCode: .noError, opaqueData: nil))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// What HTTP/2's handler tells of streams opening and closing, for this handler.
    struct StreamDelegate: NIOHTTP2StreamDelegate {
        let lifecycle: NIOLoopBound<HTTP2ConnectionLifecycle>

        func streamCreated(_ id: HTTP2StreamID, channel: any Channel) { lifecycle.value.streamCreated(id) }
        func streamClosed(_ id: HTTP2StreamID, channel: any Channel) { lifecycle.value.streamClosed() }
    }
}

@available(*, unavailable)
extension HTTP2ConnectionLifecycle: Sendable {}
