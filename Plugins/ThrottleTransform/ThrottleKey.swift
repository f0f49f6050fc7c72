import GatewayPlugin

/// Which part of an event decides what it conflates with in `throttle`.
enum ThrottleKey: Sendable, Equatable, CustomStringConvertible {
    /// No `per`: every event shares one key, so one event per interval goes out.
    case all
    /// `id`, `event` (the type, `message` when none) or `data.PATH`.
    case field(EventField)

    /// Reads `per` from the options; `nil` (and a reported problem) when it is not one of the forms.
    static func read(_ options: OptionsReader) -> ThrottleKey? {
        guard let text = options.string("per") else { return options.node("per") == nil ? .all : nil }
        if let field = EventField(text), field != .data { return .field(field) }
        var hint = Suggestion.hint(for: text, among: ["id", "event"])
        if hint.isEmpty, let path = JSONPath(text), !path.components.isEmpty {
            hint = " Did you mean 'data.\(text)'?"
        }
        options.report(
            "'per' must be id, event or data.PATH (like data.symbol), found '\(text)'.\(hint)",
            at: options.node("per")?.location)
        return nil
    }

    /// The key of `event`, or `nil` when it has none: no id, or data that is not JSON or lacks the path.
    func key(of event: Event) -> String? {
        switch self {
        case .all: return ""
        case .field(let field): return field.key(of: event)
        }
    }

    var description: String {
        switch self {
        case .all: "all"
        case .field(let field): "\(field)"
        }
    }
}
