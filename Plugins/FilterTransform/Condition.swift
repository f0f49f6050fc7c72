import GatewayPlugin

/// A test on one field's value: `eq`, `ne`, `in`, `gt`, `gte`, `lt`, `lte`, `contains`,
/// `prefix`, `matches`, `exists`. Several on one field must all hold.
///
/// Comparison rules, the same for every field:
/// - A number written plainly in YAML compares numerically with a JSON number or with text that
///   reads as one (`"101.25"`); otherwise values compare as text (a JSON string's own text, a
///   number's literal), so ISO 8601 timestamps order correctly with `gt`/`lt`.
/// - A missing field (no id, no such path) matches only `ne` and `exists: false`.
/// - Data that is not JSON matches no `data.PATH` condition at all.
enum Condition: Sendable {
    case equals(Operand)
    case notEquals(Operand)
    case oneOf([Operand])
    case greater(Operand, orEqual: Bool)
    case less(Operand, orEqual: Bool)
    case contains(Operand)
    case prefix(String)
    case matches(CompiledRegex)
    case exists(Bool)
    case all([Condition])

    func holds(for value: EventField.Value) -> Bool {
        if case .notJSON = value { return false }
        if case .all(let conditions) = self { return conditions.allSatisfy { $0.holds(for: value) } }
        guard !value.isMissing else {
            switch self {
            case .notEquals: return true
            case .exists(let expected): return !expected
            default: return false
            }
        }
        switch self {
        case .equals(let operand): return operand.equals(value)
        case .notEquals(let operand): return !operand.equals(value)
        case .oneOf(let operands): return operands.contains { $0.equals(value) }
        case .greater(let operand, let orEqual):
            guard let order = operand.compare(value) else { return false }
            return order > 0 || (orEqual && order == 0)
        case .less(let operand, let orEqual):
            guard let order = operand.compare(value) else { return false }
            return order < 0 || (orEqual && order == 0)
        case .contains(let operand):
            if case .json(.array(let elements)) = value { return elements.contains { operand.equals(.json($0)) } }
            guard let text = value.text else { return false }
            return text.contains(operand.text)
        case .prefix(let prefix): return value.text?.hasPrefix(prefix) ?? false
        case .matches(let regex): return value.text.map(regex.matches) ?? false
        case .exists(let expected): return expected
        case .all: return false
        }
    }
}

extension EventField.Value {
    var isMissing: Bool {
        if case .missing = self { return true }
        return false
    }

    /// The value as text, or `nil` for arrays, objects, null and booleans where text makes no sense.
    var text: String? {
        switch self {
        case .text(let text): text
        case .json(.string(let text)), .json(.number(let text)): text
        default: nil
        }
    }

    var number: Double? {
        switch self {
        case .text(let text): Double(text)
        case .json(.number(let text)), .json(.string(let text)): Double(text)
        default: nil
        }
    }
}

/// A value written in a condition.
enum Operand: Sendable, Equatable {
    case string(String)
    /// A number written plainly; keeps its text for text comparisons.
    case number(Double, String)
    case bool(Bool)
    case null

    /// Reads a scalar: plain `true`/`false`, plain numbers and `null` are typed; quoted text is always a string.
    init(_ node: ConfigNode) {
        switch node.value {
        case .null: self = .null
        case .scalar(let text, let isPlain):
            if isPlain, text == "true" || text == "false" {
                self = .bool(text == "true")
            } else if isPlain, let number = Double(text), !text.isEmpty {
                self = .number(number, text)
            } else {
                self = .string(text)
            }
        case .sequence, .mapping: self = .string("")
        }
    }

    var text: String {
        switch self {
        case .string(let text), .number(_, let text): text
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        }
    }

    func equals(_ value: EventField.Value) -> Bool {
        switch self {
        case .null:
            if case .json(.null) = value { return true }
            return false
        case .bool(let expected):
            if case .json(.bool(let actual)) = value { return actual == expected }
            return value.text == text
        case .number(let expected, _):
            if let actual = value.number { return actual == expected }
            return value.text == text
        case .string(let expected):
            if case .json(.bool(let actual)) = value { return (actual ? "true" : "false") == expected }
            return value.text == expected
        }
    }

    /// The order of `value` relative to this operand (negative: less), or `nil` when they do not compare.
    func compare(_ value: EventField.Value) -> Int? {
        switch self {
        case .number(let bound, _):
            guard let actual = value.number else { return nil }
            return actual < bound ? -1 : (actual > bound ? 1 : 0)
        case .string(let bound):
            guard let actual = value.text else { return nil }
            return actual < bound ? -1 : (actual > bound ? 1 : 0)
        case .bool, .null:
            return nil
        }
    }
}
