/// A part of an event that a transform reads: its type, its id, its whole data, or
/// `data.PATH`, a field of the data parsed as JSON.
///
/// One type for every option that names a part of an event — `filter`'s fields, `dedupe`'s
/// `by`, `throttle`'s `per` — so they accept the same spellings and read the data the same
/// way: parsed once per event, however many steps read it (see ``ParsedData``).
public enum EventField: Sendable, Hashable, CustomStringConvertible {
    /// The event type; `message` when the event has none.
    case event
    /// The event's id; missing when it has none.
    case id
    /// The data as it is.
    case data
    /// A field of the data parsed as JSON (`data.user.name`, `data.items[0]`).
    case dataPath(JSONPath)

    /// Parses `event`, `id`, `data` or `data.PATH`; `nil` for anything else, a malformed or
    /// empty path included (``looksLikeDataPath(_:)`` tells those apart for messages).
    public init?(_ text: String) {
        switch text {
        case "event": self = .event
        case "id": self = .id
        case "data": self = .data
        default:
            guard Self.looksLikeDataPath(text) else { return nil }
            let pathText = text.hasPrefix("data.") ? String(text.dropFirst(5)) : String(text.dropFirst(4))
            guard let path = JSONPath(pathText), !path.components.isEmpty else { return nil }
            self = .dataPath(path)
        }
    }

    /// Whether `text` is meant as `data.PATH` (`data.` or `data[` first), valid or not.
    public static func looksLikeDataPath(_ text: String) -> Bool {
        text.hasPrefix("data.") || text.hasPrefix("data[")
    }

    /// What a field holds for one event.
    public enum Value: Sendable {
        /// The field is absent: no id, no such path.
        case missing
        /// The data is not JSON, so no `data.PATH` has a value (not even "missing").
        case notJSON
        /// The type, id or data.
        case text(String)
        /// The value at a `data.PATH`.
        case json(JSONValue)
    }

    /// The field's value in `event`.
    public func value(in event: Event) -> Value {
        switch self {
        case .event: return .text(event.type)
        case .id: return event.id.map(Value.text) ?? .missing
        case .data: return .text(event.data)
        case .dataPath(let path):
            guard let document = ParsedData.document(of: event.data) else { return .notJSON }
            return path.lookup(in: document).map(Value.json) ?? .missing
        }
    }

    /// The field as a key (dedupe, throttle): its text, a JSON value's text form; `nil` when
    /// the event has none (no id, data that is not JSON or lacks the path).
    public func key(of event: Event) -> String? {
        switch value(in: event) {
        case .missing, .notJSON: return nil
        case .text(let text): return text
        case .json(let value): return value.text
        }
    }

    /// The field as written in `gateway.yaml`.
    public var description: String {
        switch self {
        case .event: "event"
        case .id: "id"
        case .data: "data"
        case .dataPath(let path): "data.\(path)"
        }
    }
}
