import NIOCore

/// The listening channel's last handler: reports failed accepts to the ``ConnectionBudget``
/// (which logs them once per episode) and swallows the refusals the budget itself made.
///
/// It sits behind NIO's `AcceptBackoffHandler`, which pauses accepting after an `accept(2)`
/// error instead of retrying on every wake-up — without it a process out of descriptors spins
/// a core on a listening socket that stays readable.
final class AcceptErrorHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel

    /// How long the listener pauses after a failed accept.
    static let backoff: TimeAmount = .milliseconds(250)

    private let budget: ConnectionBudget

    init(budget: ConnectionBudget) {
        self.budget = budget
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is ConnectionRefused { return }
        budget.acceptFailed(error)
    }
}

/// Fails a child channel's initializer for a connection over the budget, so NIO closes it
/// before it is registered or read.
struct ConnectionRefused: Error {}

@available(*, unavailable)
extension AcceptErrorHandler: Sendable {}
