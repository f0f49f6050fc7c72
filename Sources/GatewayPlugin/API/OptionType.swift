/// The values an option takes, as declared in an ``OptionSpec``; each case matches one getter
/// of ``OptionsReader``, whose arguments must agree with it.
public enum OptionType: Sendable, Hashable {
    /// Text: ``OptionsReader/string(_:default:required:)``.
    case string
    /// A whole number within the range: ``OptionsReader/int(_:default:in:)``.
    case int(ClosedRange<Int>)
    /// `true` or `false`: ``OptionsReader/bool(_:default:)``.
    case bool
    /// A duration (`250ms`, `5s`) of at least `minimum`: ``OptionsReader/duration(_:default:minimum:)``.
    case duration(minimum: Duration)
    /// A size (`512`, `64KiB`) of at least `minimum` bytes: ``OptionsReader/size(_:default:minimum:)``.
    case size(minimum: Int)
    /// One of these words: ``OptionsReader/choice(_:of:default:)``.
    case choice([String])
    /// A list of strings (or one string): ``OptionsReader/stringList(_:)``.
    case stringList
    /// A map of strings to strings: ``OptionsReader/stringMap(_:)``.
    case stringMap
    /// A map of options of its own: ``OptionsReader/nested(_:)``.
    case map([OptionSpec])
    /// Any other shape, read by the plugin itself through ``OptionsReader/node(_:)``; the text
    /// names it for people: `a list or a string`, `a condition`.
    case shape(String)

    /// The type's name in a table: `duration`, `integer`, `one of`.
    public var name: String {
        switch self {
        case .string: "string"
        case .int: "integer"
        case .bool: "boolean"
        case .duration: "duration"
        case .size: "size"
        case .choice: "one of"
        case .stringList: "list of strings"
        case .stringMap: "map of strings"
        case .map: "map"
        case .shape(let shape): shape
        }
    }

    /// The values allowed beyond the type's own rule, as a user would write them: `1…10000`,
    /// `≥ 10ms`, `GET, POST`; empty when any value of the type will do.
    public var allowed: String {
        switch self {
        case .int(let range):
            if range == 0...Int.max { return "" }
            if range.upperBound == Int.max { return "≥ \(range.lowerBound)" }
            return "\(range.lowerBound)…\(range.upperBound)"
        case .duration(let minimum):
            return minimum == .zero ? "" : "≥ \(Units.describe(minimum))"
        case .size(let minimum):
            return minimum <= 1 ? "" : "≥ \(Units.describe(bytes: minimum))"
        case .choice(let words):
            return words.joined(separator: ", ")
        case .string, .bool, .stringList, .stringMap, .map, .shape:
            return ""
        }
    }
}
