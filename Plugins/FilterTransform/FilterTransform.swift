import GatewayPlugin

/// `- filter: MATCHER` — keeps the events that match, drops the rest.
///
/// ```yaml
/// - filter: { event: quote, data.price: { gte: 100 } }
/// - filter: { any: [ { event: alert }, { data.level: [error, fatal] } ] }
/// ```
public final class FilterTransform: Transform {
    let matcher: Matcher

    init(matcher: Matcher) { self.matcher = matcher }

    /// The plugin entry for the registry.
    public static let plugin = TransformPlugin(name: "filter", summary: "keeps the events that match a matcher", options: options) { options in
        let node = options.node
        // A value that is not a map has already been reported by the reader.
        guard node.mapping != nil else { return nil }
        _ = options.entries()
        guard let matcher = MatcherParser(diagnostics: options.diagnostics).matcher(node) else { return nil }
        return TransformFactory(summary: "filter \(FilterTransform.describe(node))") { FilterTransform(matcher: matcher) }
    }

    /// The matcher's keys, for `gateway plugins filter` and the README: the fields a condition
    /// reads, and the combinators. The options are data (a matcher), taken whole by ``MatcherParser``.
    public static let options: [OptionSpec] = [
        OptionSpec("event", .shape("condition"), "the event type (`message` when the event has none)"),
        OptionSpec("id", .shape("condition"), "the event id (missing when it has none)"),
        OptionSpec("data", .shape("condition"), "the raw data text"),
        OptionSpec(
            "data.PATH", .shape("condition"),
            "a field of the data parsed as JSON: `data.user.name`, `data.items[0]`, `data[\"a.b\"]` "
                + "(quote keys with `[`/`]` in flow maps: `{ \"data.items[0]\": 1 }`)"),
        OptionSpec("any", .shape("list of matchers"), "matches when at least one of the matchers does"),
        OptionSpec("all", .shape("list of matchers"), "matches when every one of the matchers does"),
        OptionSpec("not", .shape("matcher"), "matches when the matcher does not"),
    ]

    public func process(_ event: Event, into output: inout [Event]) {
        if matcher.matches(event) { output.append(event) }
    }

    /// A compact, one-line rendering of the matcher as written, for the plan.
    static func describe(_ node: ConfigNode) -> String {
        switch node.value {
        case .null: return "null"
        case .scalar(let text, _): return text
        case .sequence(let elements): return "[" + elements.map(describe).joined(separator: ", ") + "]"
        case .mapping(let entries): return "{" + entries.map { "\($0.key): \(describe($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
