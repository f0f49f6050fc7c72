import GatewayPlugin

/// A compiled matcher (SPEC §2): every key of a map must hold; `any`, `all` and `not` combine.
///
/// Compiled once at load — regexes included — and evaluated per event with no allocation
/// beyond the JSON parse of the data, which happens only when some condition reads a
/// `data.PATH` field, and once per event whatever else reads it (``ParsedData``).
indirect enum Matcher: Sendable {
    case all([Matcher])
    case any([Matcher])
    case not(Matcher)
    case condition(EventField, Condition)

    /// Whether the matcher holds for `event`.
    func matches(_ event: Event) -> Bool {
        switch self {
        case .all(let matchers): return matchers.allSatisfy { $0.matches(event) }
        case .any(let matchers): return matchers.contains { $0.matches(event) }
        case .not(let matcher): return !matcher.matches(event)
        case .condition(let field, let condition): return condition.holds(for: field.value(in: event))
        }
    }
}
