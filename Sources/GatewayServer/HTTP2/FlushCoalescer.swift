import NIOCore

/// Makes the flushes an HTTP/2 connection receives during one event-loop task one flush, at
/// the end of the task.
///
/// A drain writes an event to every stream it serves and flushes each one (a stream's bytes
/// reach its connection only on its flush); HTTP/2's handler passes every stream's flush on to
/// the socket, so a connection carrying ten streams would make ten `writev` calls per event
/// (and, over TLS, ten records). Sitting between the socket (or TLS) and HTTP/2's handler,
/// this defers the flush to a task queued behind the drain: the connection's frames of the
/// whole drain go out in one call. The delay is the rest of the loop's current work, never a
/// timer.
final class FlushCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var flushScheduled = false
    private var removed = false

    func flush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            if !removed { context.flush() }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
    }
}

@available(*, unavailable)
extension FlushCoalescer: Sendable {}
