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
    public static let plugin = TransformPlugin(name: "filter", summary: "keeps the events that match a matcher") { options in
        let node = options.node
        // A value that is not a map has already been reported by the reader.
        guard node.mapping != nil else { return nil }
        _ = options.entries()
        guard let matcher = MatcherParser(diagnostics: options.diagnostics).matcher(node) else { return nil }
        return TransformFactory(summary: "filter \(FilterTransform.describe(node))") { FilterTransform(matcher: matcher) }
    }

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
