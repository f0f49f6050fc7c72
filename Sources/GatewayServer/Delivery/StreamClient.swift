import NIOCore

/// One streaming client as its event loop's fan-out sees it: a cursor into the endpoint's log.
/// Confined to its loop.
final class StreamClient {
    /// Where the client's bytes go.
    let writer: any ClientWriter
    /// Only these event types (`?event=a,b`); `nil` for every type.
    let types: Set<String>?
    /// The peer address, for logs.
    let address: String
    /// Its place in the endpoint's log: what it reads, and the channels it holds open.
    let cursor: LogCursor
    /// Where the client's events come from (``LogCursor/reader``, kept at hand).
    let reader: any EventLogReader
    /// The names of its channels; empty on a broadcast endpoint.
    let channels: [String]

    /// The sequence of the next event the client needs.
    var next: UInt64
    /// Whether the client is behind: not pushed live events, but pulled forward from the log
    /// as its connection takes bytes (see ``LoopFanOut``).
    var isBehind = true
    /// When the client was last written to, for heartbeats.
    var lastWrite: NIODeadline
    /// When the connection last took a byte (or had nothing waiting), for `stall_timeout`.
    var lastProgress: NIODeadline
    /// ``ClientWriter/bufferedBytes`` at the last check.
    var lastBuffered = 0
    /// Position in the fan-out's client list (for O(1) removal), or -1 once removed.
    var slot: Int = -1
    /// Per channel, its position in the fan-out's list of that channel's clients.
    var channelSlots: [Int] = []
    /// Written to in the drain under way and not yet flushed.
    var awaitsFlush = false
    /// Why the server ended this stream, or `nil` while it is open or when the client left.
    var endReason: DisconnectReason?

    init(writer: any ClientWriter, types: Set<String>?, address: String, cursor: LogCursor, now: NIODeadline) {
        self.writer = writer
        self.types = types
        self.address = address
        self.cursor = cursor
        self.reader = cursor.reader
        self.channels = cursor.channels.map(\.name)
        self.next = cursor.resume.start
        self.lastWrite = now
        self.lastProgress = now
    }

    /// Whether events of `type` go to this client.
    @inline(__always)
    func wants(_ type: String) -> Bool {
        guard let types else { return true }
        return types.contains(type)
    }
}

/// Why a stream ended: the `reason` label of `gateway_disconnects_total`.
enum DisconnectReason: String, Sendable {
    /// The client closed the connection.
    case clientClosed = "client_closed"
    /// The events the client needed next had left the log.
    case behind = "behind"
    /// The client's socket took no byte for `stall_timeout`.
    case stalled = "stalled"
    /// The gateway is stopping.
    case shutdown = "shutdown"
    /// A reload removed (or remade) the endpoint.
    case removed = "removed"
    /// Writing to the client failed.
    case error = "error"
    /// The token that opened the stream expired (SPEC §6): the client reconnects with a new one.
    case tokenExpired = "token_expired"
}
