import DequeModule
import NIOCore

/// One streaming client as its event loop's fan-out sees it. Confined to that loop.
final class StreamClient {
    /// The stream handler's context: writes go out from there.
    let context: ChannelHandlerContext
    /// What the client receives.
    let policy: ClientPolicy
    /// The peer address, for logs.
    let address: String
    /// When the client was last written to, for heartbeats.
    var lastWrite: NIODeadline
    /// Position in the fan-out's client list (for O(1) removal), or -1 once removed.
    var slot: Int = -1
    /// Why the server ended this stream, or `nil` while it is open or when the client left.
    var endReason: DisconnectReason?

    /// Events not yet written because the client is still taking its replay: written as the
    /// channel drains (see ``pump()``), with live events queued behind them.
    var backlog: Deque<ByteBuffer> = []
    /// The most events the backlog may hold before the client counts as too slow.
    let backlogLimit: Int

    init(context: ChannelHandlerContext, policy: ClientPolicy, address: String, now: NIODeadline, backlogLimit: Int) {
        self.context = context
        self.policy = policy
        self.address = address
        self.lastWrite = now
        self.backlogLimit = backlogLimit
    }

    /// Whether the client is still catching up on its replay.
    var isCatchingUp: Bool { !backlog.isEmpty }

    /// Writes backlog events while the channel accepts them, flushing as it goes.
    ///
    /// A replay can be far larger than `client_buffer`; writing it all at once would make a
    /// resuming client look slow and cut it off. Instead it is fed as the socket drains.
    func pump() {
        let channel = context.channel
        while !backlog.isEmpty {
            var wrote = false
            while channel.isWritable, let next = backlog.popFirst() {
                context.write(NIOAny(next), promise: nil)
                wrote = true
            }
            guard wrote else { return }
            context.flush()
            if !channel.isWritable { return }
        }
    }
}

/// Why a stream ended: the `reason` label of `gateway_disconnects_total`.
enum DisconnectReason: String, Sendable {
    /// The client closed the connection.
    case clientClosed = "client_closed"
    /// The client's queued bytes went over `client_buffer`.
    case slowClient = "slow_client"
    /// The gateway is stopping.
    case shutdown = "shutdown"
    /// Writing to the client failed.
    case error = "error"
}
