import GatewayPlugin

/// Compiles a matcher map from `gateway.yaml`, reporting each mistake at its position.
struct MatcherParser {
    let diagnostics: Diagnostics

    static let fields = ["event", "id", "data", "data.PATH"]
    static let combinators = ["any", "all", "not"]
    static let operators = ["eq", "ne", "in", "gt", "gte", "lt", "lte", "contains", "prefix", "matches", "exists"]

    /// The matcher for `node`, or `nil` after reporting why it is not one.
    func matcher(_ node: ConfigNode) -> Matcher? {
        guard let entries = node.mapping else {
            diagnostics.report("a matcher is a map of fields to conditions (like 'event: quote'), found \(node.kindDescription)", at: node.location)
            return nil
        }
        var parts: [Matcher] = []
        var valid = true
        for entry in entries {
            if let part = matcher(for: entry) { parts.append(part) } else { valid = false }
        }
        guard valid else { return nil }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private func matcher(for entry: ConfigEntry) -> Matcher? {
        switch entry.key {
        case "any", "all":
            guard let elements = entry.value.sequence, !elements.isEmpty else {
                diagnostics.report("'\(entry.key)' takes a non-empty list of matchers", at: entry.value.location)
                return nil
            }
            let matchers = elements.map(matcher)
            guard matchers.allSatisfy({ $0 != nil }) else { return nil }
            return entry.key == "any" ? .any(matchers.map { $0! }) : .all(matchers.map { $0! })
        case "not":
            return matcher(entry.value).map(Matcher.not)
        default:
            guard let field = field(entry) else { return nil }
            return condition(entry.value, field: field).map { .condition(field, $0) }
        }
    }

    private func field(_ entry: ConfigEntry) -> EventField? {
        if let field = EventField(entry.key) { return field }
        if EventField.looksLikeDataPath(entry.key) {
            diagnostics.report("'\(entry.key)' is not a valid path (write data.user.name or data.items[0])", at: entry.keyLocation)
            return nil
        }
        let hint = Suggestion.hint(for: entry.key, among: ["event", "id", "data"] + Self.combinators)
        diagnostics.report(
            "unknown field '\(entry.key)'.\(hint) Fields are event, id, data and data.PATH; combinators any, all, not",
            at: entry.keyLocation)
        return nil
    }

    private func condition(_ node: ConfigNode, field: EventField) -> Condition? {
        switch node.value {
        case .null, .scalar:
            return .equals(Operand(node))
        case .sequence(let elements):
            guard let operands = scalars(elements, key: "\(field)") else { return nil }
            return .oneOf(operands)
        case .mapping(let entries):
            var conditions: [Condition] = []
            var valid = true
            for entry in entries {
                if let condition = operatorCondition(entry) { conditions.append(condition) } else { valid = false }
            }
            guard valid, !conditions.isEmpty else {
                if valid { diagnostics.report("'\(field)' needs at least one operator", at: node.location) }
                return nil
            }
            return conditions.count == 1 ? conditions[0] : .all(conditions)
        }
    }

    private func operatorCondition(_ entry: ConfigEntry) -> Condition? {
        let value = entry.value
        func scalarOperand() -> Operand? {
            guard value.scalar != nil || value.isNull else {
                diagnostics.report("'\(entry.key)' takes a single value, found \(value.kindDescription)", at: value.location)
                return nil
            }
            return Operand(value)
        }
        switch entry.key {
        case "eq": return scalarOperand().map(Condition.equals)
        case "ne": return scalarOperand().map(Condition.notEquals)
        case "in":
            guard let elements = value.sequence else {
                diagnostics.report("'in' takes a list of values, found \(value.kindDescription)", at: value.location)
                return nil
            }
            return scalars(elements, key: "in").map(Condition.oneOf)
        case "gt", "gte", "lt", "lte":
            guard let operand = scalarOperand() else { return nil }
            switch operand {
            case .bool, .null:
                diagnostics.report("'\(entry.key)' compares with a number or a text, found '\(operand.text)'", at: value.location)
                return nil
            default:
                let orEqual = entry.key.hasSuffix("e")
                return entry.key.hasPrefix("g") ? .greater(operand, orEqual: orEqual) : .less(operand, orEqual: orEqual)
            }
        case "contains": return scalarOperand().map(Condition.contains)
        case "prefix": return scalarOperand().map { .prefix($0.text) }
        case "matches":
            guard let pattern = value.scalar else {
                diagnostics.report("'matches' takes a regular expression, found \(value.kindDescription)", at: value.location)
                return nil
            }
            do {
                return .matches(try CompiledRegex(pattern))
            } catch {
                diagnostics.report("invalid regular expression '\(pattern)': \(error)", at: value.location)
                return nil
            }
        case "exists":
            guard case .bool(let expected) = Operand(value) else {
                diagnostics.report("'exists' must be true or false, found \(value.describedForMessage)", at: value.location)
                return nil
            }
            return .exists(expected)
        default:
            let hint = Suggestion.hint(for: entry.key, among: Self.operators)
            diagnostics.report(
                "unknown operator '\(entry.key)'.\(hint) Operators: \(Self.operators.joined(separator: ", "))", at: entry.keyLocation)
            return nil
        }
    }

    private func scalars(_ elements: [ConfigNode], key: String) -> [Operand]? {
        var operands: [Operand] = []
        for element in elements {
            guard element.scalar != nil || element.isNull else {
                diagnostics.report("'\(key)' lists values; this element is \(element.kindDescription)", at: element.location)
                return nil
            }
            operands.append(Operand(element))
        }
        return operands
    }
}
