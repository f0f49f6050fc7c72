/// An event as an endpoint published it under ``PipelineHarness``: what its clients would
/// read, without the wire bytes.
public struct EmittedEvent: Sendable, Hashable {
    /// The id sent: `EPOCH-N` with `ids: sequence`, the event's own (or none) with `ids: source`.
    public var id: String?
    /// The event type (`message` when the event set none).
    public var type: String
    /// The data.
    public var data: String
    /// The channel it went to on a channel endpoint; `nil` on a broadcast one.
    public var channel: String?

    /// Creates an event.
    /// - Parameters:
    ///   - id: the id sent, if any.
    ///   - type: the event type.
    ///   - data: the data.
    ///   - channel: the channel, on a channel endpoint.
    public init(id: String? = nil, type: String = "message", data: String, channel: String? = nil) {
        self.id = id
        self.type = type
        self.data = data
        self.channel = channel
    }
}
