import GatewayPlugin

/// What makes an endpoint a channel endpoint (SPEC §2 "Channels"): its path has one `{name}`
/// segment, each event goes to the channel its key names, and a client reads one channel (or
/// several with `*?channels=a,b`).
public struct ChannelSettings: Sendable {
    /// What names an event's channel: `id`, `event` or `data.PATH`.
    public var key: EventField
    /// Channels holding events, at most; beyond it the least recently published is dropped.
    public var maxChannels: Int
    /// Bytes held by all the endpoint's channels together, at most; `nil` for no such limit.
    public var replayBytes: Int?

    /// The default `max_channels`.
    public static let defaultMaxChannels = 100_000
    /// The most channels one client may read on one connection.
    public static let maxChannelsPerClient = 64

    /// Creates channel settings.
    public init(key: EventField, maxChannels: Int = Self.defaultMaxChannels, replayBytes: Int? = nil) {
        self.key = key
        self.maxChannels = maxChannels
        self.replayBytes = replayBytes
    }
}
