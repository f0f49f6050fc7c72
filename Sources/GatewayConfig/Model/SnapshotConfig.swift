import GatewayPlugin

/// `snapshot:` — an endpoint keeps the latest event per key and sends it to a client that
/// connects without `Last-Event-ID`, before live events (SPEC §7).
public struct SnapshotConfig: Sendable {
    /// `key`: `id`, `event` or `data.PATH`.
    public var key: EventField
    /// `delete_on`: event types that remove their key.
    public var deleteOn: [String]
    /// `max_keys`: keys held at most.
    public var maxKeys: Int
    /// `end_event`: the type sent after the state; `nil` (`false`) for none.
    public var endEvent: String?

    /// Creates a snapshot configuration.
    public init(key: EventField, deleteOn: [String], maxKeys: Int, endEvent: String?) {
        self.key = key
        self.deleteOn = deleteOn
        self.maxKeys = maxKeys
        self.endEvent = endEvent
    }
}
