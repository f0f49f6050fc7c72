/// One server-sent event, as it flows from a source through a pipeline to an endpoint.
///
/// The fields mirror the SSE wire format: `event` is the type (`nil` means the default type
/// `message`), `data` is the payload with lines joined by LF, `id` the event's own id and
/// `retry` a reconnection time in milliseconds that a source received or wants to send.
public struct Event: Sendable, Hashable {
    /// The event's id, or `nil` when it has none.
    public var id: String?
    /// The event type; `nil` means `message`.
    public var event: String?
    /// The payload. Multi-line data is joined with `\n`.
    public var data: String
    /// A reconnection time in milliseconds carried with this event, if any.
    public var retry: Int?

    /// Creates an event.
    /// - Parameters:
    ///   - id: the event id, or `nil`.
    ///   - event: the event type, or `nil` for `message`.
    ///   - data: the payload.
    ///   - retry: a reconnection time in milliseconds, or `nil`.
    public init(id: String? = nil, event: String? = nil, data: String, retry: Int? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }

    /// The event type as a client sees it: `message` when none is set.
    @inlinable
    public var type: String { event ?? "message" }
}
