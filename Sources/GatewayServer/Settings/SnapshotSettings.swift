import GatewayPlugin

/// An endpoint's `snapshot` (SPEC §7 "Snapshot"): it keeps the latest event per key, and a
/// client that connects without `Last-Event-ID` first receives those, then ``endEvent``,
/// then live events.
public struct SnapshotSettings: Sendable {
    /// What names an event's key: `id` (as its source gave it) or `data.PATH`. Events without
    /// one are delivered live but are not part of the state.
    public var key: EventField
    /// Event types that remove their key from the state (a tombstone).
    public var deleteOn: Set<String>
    /// Keys held at most; past it the least recently updated key is dropped (and counted).
    public var maxKeys: Int
    /// The type of the event sent after the state; `nil` sends none.
    public var endEvent: String?

    /// The default `max_keys`.
    public static let defaultMaxKeys = 100_000
    /// The default `end_event`.
    public static let defaultEndEvent = "snapshot-end"

    /// Creates snapshot settings.
    public init(key: EventField, deleteOn: Set<String> = [], maxKeys: Int = Self.defaultMaxKeys, endEvent: String? = Self.defaultEndEvent) {
        self.key = key
        self.deleteOn = deleteOn
        self.maxKeys = maxKeys
        self.endEvent = endEvent
    }
}
