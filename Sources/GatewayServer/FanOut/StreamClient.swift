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

    init(context: ChannelHandlerContext, policy: ClientPolicy, address: String, now: NIODeadline) {
        self.context = context
        self.policy = policy
        self.address = address
        self.lastWrite = now
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
