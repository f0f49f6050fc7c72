import GatewayPlugin

/// A compiled matcher (SPEC §2): every key of a map must hold; `any`, `all` and `not` combine.
///
/// Compiled once at load — regexes included — and evaluated per event with no allocation
/// beyond the one JSON parse of the data, which happens at most once per event and only when
/// some condition reads a `data.PATH` field.
indirect enum Matcher: Sendable {
    case all([Matcher])
    case any([Matcher])
    case not(Matcher)
    case condition(Field, Condition)

    /// Whether the matcher holds for the event behind `input`.
    func matches(_ input: inout MatchInput) -> Bool {
        switch self {
        case .all(let matchers): return matchers.allSatisfy { $0.matches(&input) }
        case .any(let matchers): return matchers.contains { $0.matches(&input) }
        case .not(let matcher): return !matcher.matches(&input)
        case .condition(let field, let condition): return condition.holds(for: input.value(of: field))
        }
    }

    /// Whether any condition reads the data as JSON.
    var readsJSON: Bool {
        switch self {
        case .all(let matchers), .any(let matchers): matchers.contains(where: \.readsJSON)
        case .not(let matcher): matcher.readsJSON
        case .condition(let field, _): if case .dataPath = field { true } else { false }
        }
    }
}

/// What a condition looks at.
enum Field: Sendable, CustomStringConvertible {
    /// The event type; `message` when the event has none.
    case event
    /// The event id; missing when the event has none.
    case id
    /// The raw data text.
    case data
    /// A field of the data parsed as JSON.
    case dataPath(JSONPath)

    var description: String {
        switch self {
        case .event: "event"
        case .id: "id"
        case .data: "data"
        case .dataPath(let path): "data.\(path)"
        }
    }
}

/// The value of a field for one event.
enum FieldValue {
    /// The field is absent (no id, no such JSON path).
    case missing
    /// The data is not JSON, so no `data.PATH` condition can match (not even `exists: false`).
    case notJSON
    case text(String)
    case json(JSONValue)
}

/// One event being matched, with its data parsed lazily and at most once.
struct MatchInput {
    let event: Event
    private var parsed: JSONValue??

    init(_ event: Event) { self.event = event }

    mutating func value(of field: Field) -> FieldValue {
        switch field {
        case .event: return .text(event.event ?? "message")
        case .id: return event.id.map(FieldValue.text) ?? .missing
        case .data: return .text(event.data)
        case .dataPath(let path):
            if parsed == nil { parsed = .some(try? JSONValue.parse(event.data)) }
            guard let document = parsed! else { return .notJSON }
            return path.lookup(in: document).map(FieldValue.json) ?? .missing
        }
    }
}
