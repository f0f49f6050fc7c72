import GatewayPlugin

/// Which part of an event decides what it conflates with in `throttle`.
enum ThrottleKey: Sendable, Equatable, CustomStringConvertible {
    /// No `per`: every event shares one key, so one event per interval goes out.
    case all
    /// The event's own id.
    case id
    /// The event type (`message` when it has none).
    case event
    /// A field of the data parsed as JSON.
    case dataPath(JSONPath)

    /// Reads `per` from the options; `nil` (and a reported problem) when it is not one of the forms.
    static func read(_ options: OptionsReader) -> ThrottleKey? {
        guard let text = options.string("per") else { return options.node("per") == nil ? .all : nil }
        switch text {
        case "id": return .id
        case "event": return .event
        default:
            if text.hasPrefix("data.") || text.hasPrefix("data[") {
                let pathText = text.hasPrefix("data.") ? String(text.dropFirst(5)) : String(text.dropFirst(4))
                if let path = JSONPath(pathText), !path.components.isEmpty { return .dataPath(path) }
            }
            var hint = Suggestion.hint(for: text, among: ["id", "event"])
            if hint.isEmpty, let path = JSONPath(text), !path.components.isEmpty {
                hint = " Did you mean 'data.\(text)'?"
            }
            options.report(
                "'per' must be id, event or data.PATH (like data.symbol), found '\(text)'.\(hint)",
                at: options.node("per")?.location)
            return nil
        }
    }

    /// The key of `event`, or `nil` when it has none: no id, or data that is not JSON or lacks the path.
    func key(of event: Event) -> String? {
        switch self {
        case .all: return ""
        case .id: return event.id
        case .event: return event.type
        case .dataPath(let path):
            guard let document = try? JSONValue.parse(event.data), let value = path.lookup(in: document) else { return nil }
            return value.text
        }
    }

    var description: String {
        switch self {
        case .all: "all"
        case .id: "id"
        case .event: "event"
        case .dataPath(let path): "data.\(path)"
        }
    }
}
