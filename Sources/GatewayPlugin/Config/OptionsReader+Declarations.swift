/// How a getter of ``OptionsReader`` reads a key: what it states about the option, which must
/// agree with the option's ``OptionSpec``.
enum OptionRead {
    /// ``OptionsReader/node(_:)``: the plugin reads the shape itself; any declared type will do.
    case raw
    case string(default: String?, required: Bool)
    case int(ClosedRange<Int>, default: Int?)
    case bool(default: Bool)
    case duration(minimum: Duration, default: Duration?)
    case size(minimum: Int, default: Int?)
    case choice([String], default: String)
    case stringList
    case stringMap
    case nested

    /// What is wrong with reading an option declared as `spec` this way, or `nil`.
    func disagreement(with spec: OptionSpec) -> String? {
        let declared = spec.default
        switch (self, spec.type) {
        case (.raw, _):
            return nil
        case (.string(let value, let required), .string):
            return Self.disagreement(value, required: required, declared: declared, parse: { $0 }, describe: { $0 })
        case (.int(let range, let value), .int(let declaredRange)):
            if range != declaredRange { return "is read within \(range) but declared within \(declaredRange)" }
            return Self.disagreement(value, declared: declared, parse: { Int($0.replacingUnderscores()) }, describe: { "\($0)" })
        case (.bool(let value), .bool):
            return Self.disagreement(value, declared: declared, parse: { ["true": true, "false": false][$0] }, describe: { "\($0)" })
        case (.duration(let minimum, let value), .duration(let declaredMinimum)):
            if minimum != declaredMinimum {
                return "is read with minimum \(Units.describe(minimum)) but declared with minimum \(Units.describe(declaredMinimum))"
            }
            return Self.disagreement(value, declared: declared, parse: Units.duration, describe: Units.describe)
        case (.size(let minimum, let value), .size(let declaredMinimum)):
            if minimum != declaredMinimum {
                return "is read with minimum \(Units.describe(bytes: minimum)) but declared with minimum \(Units.describe(bytes: declaredMinimum))"
            }
            return Self.disagreement(value, declared: declared, parse: Units.size, describe: { Units.describe(bytes: $0) })
        case (.choice(let words, let value), .choice(let declaredWords)):
            if words != declaredWords {
                return "is read as one of \(words.joined(separator: ", ")) but declared as one of \(declaredWords.joined(separator: ", "))"
            }
            return Self.disagreement(value, declared: declared, parse: { $0 }, describe: { $0 })
        case (.stringList, .stringList), (.stringMap, .stringMap), (.nested, .map):
            return Self.disagreement(String?.none, declared: declared, parse: { $0 }, describe: { $0 })
        default:
            return "is read as \(name) but declared as \(spec.type.name)"
        }
    }

    /// Whether the default the getter states agrees with the declared one. A getter without a
    /// default says nothing about a declared `required` or `none` (the plugin may check or fill
    /// it in itself), but a declared value must be the getter's default.
    private static func disagreement<Value: Equatable>(
        _ value: Value?, required: Bool = false, declared: OptionDefault, parse: (String) -> Value?, describe: (Value) -> String
    ) -> String? {
        if required {
            return declared.kind == .required ? nil : "is read as required but declared with default \(declared.markdown)"
        }
        switch (value, declared.kind) {
        case (let value?, .value(let text)):
            return parse(text) == value ? nil : "is read with default \(describe(value)) but declared with default `\(text)`"
        case (let value?, _):
            return "is read with default \(describe(value)) but declared with default \(declared.markdown)"
        case (nil, .value(let text)):
            return "is read without a default but declared with default `\(text)`"
        case (nil, _):
            return nil
        }
    }

    private var name: String {
        switch self {
        case .raw: "a node"
        case .string: "a string"
        case .int: "an integer"
        case .bool: "a boolean"
        case .duration: "a duration"
        case .size: "a size"
        case .choice: "a choice"
        case .stringList: "a list of strings"
        case .stringMap: "a map of strings"
        case .nested: "a map"
        }
    }
}
