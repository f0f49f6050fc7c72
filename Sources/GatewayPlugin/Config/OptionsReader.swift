/// Typed, position-aware access to one plugin's options in `gateway.yaml`.
///
/// A plugin reads each option once by name; a wrong type or value is reported as
/// `FILE:LINE:COLUMN: message` and the getter returns `nil`, so the plugin goes on reading
/// and `gateway check` lists every mistake in one run. After the plugin is done, the loader
/// calls ``finish()``: every key the plugin does not take is reported as unknown, with the
/// closest key it does take as a suggestion.
///
/// The keys a plugin takes are the options it declares (``OptionSpec``, see ``declare(_:)``),
/// or, for a plugin that declares none, the keys it asked for. With declarations, every read
/// is also checked against them and what disagrees is recorded in ``audit``.
///
/// ```swift
/// let interval = options.duration("interval", default: .seconds(1))
/// let event = options.string("event")
/// guard let interval, options.isValid else { return nil }
/// ```
public final class OptionsReader {
    /// The options map (or the plugin's whole value, when it is not a map).
    public let node: ConfigNode
    /// Where the options are in the configuration, for messages: `sources.quotes`, `pipeline[0] filter`.
    public let context: String
    /// Where problems go.
    public let diagnostics: Diagnostics
    /// Settings from other sections of the file that options may default to (``SharedConfig``).
    public let shared: SharedConfig
    /// The options the plugin declared (``declare(_:)``); `nil` when it declared none.
    public private(set) var declared: [OptionSpec]?
    /// What the plugin read, and where that disagrees with ``declared``; shared with the readers
    /// of nested maps.
    public private(set) var audit = OptionsAudit()
    /// The path of this reader's map within the plugin's options: `""`, or `reconnect.` for a nested one.
    private var keyPath = ""
    private let handledKeys: [String]
    private var askedKeys: [String] = []
    private let problemsBefore: Int
    private var consumedAll = false

    /// Creates a reader over `node`.
    /// - Parameters:
    ///   - node: the plugin's options.
    ///   - context: how messages name the place, e.g. `source 'quotes'`.
    ///   - diagnostics: where problems are recorded.
    ///   - handledKeys: keys the loader itself reads (like `type`), never reported as unknown.
    ///   - shared: settings from other sections of the file; none by default.
    public init(
        node: ConfigNode, context: String, diagnostics: Diagnostics, handledKeys: [String] = [], shared: SharedConfig = SharedConfig()
    ) {
        self.node = node
        self.context = context
        self.diagnostics = diagnostics
        self.shared = shared
        self.handledKeys = handledKeys
        self.askedKeys = handledKeys
        self.problemsBefore = diagnostics.problems.count
        if !node.isNull && node.mapping == nil {
            diagnostics.report("\(context) expects a map of options, found \(node.kindDescription)", at: node.location)
            consumedAll = true
        }
    }

    /// Whether no problem has been reported through this reader so far.
    public var isValid: Bool { diagnostics.problems.count == problemsBefore }

    /// Reports a problem at `location` (default: the options themselves).
    public func report(_ message: String, at location: ConfigLocation? = nil) {
        diagnostics.report(message, at: location ?? node.location)
    }

    /// Declares the options the plugin takes. From then on a key that is not declared is
    /// unknown, and each read is checked against its declaration (``audit``). ``SourcePlugin``
    /// and ``TransformPlugin`` call it with their `options` before the plugin reads; an empty
    /// list declares nothing.
    public func declare(_ options: [OptionSpec]) {
        declared = options.isEmpty ? nil : options
    }

    /// The raw value of `key`, marking it as known. Use it for options with a shape of their own.
    public func node(_ key: String) -> ConfigNode? {
        lookup(key, as: .raw)
    }

    /// The value of `key` (`nil` when absent or null), recorded as asked for and checked
    /// against the declaration as `read`.
    func lookup(_ key: String, as read: OptionRead) -> ConfigNode? {
        if !askedKeys.contains(key) { askedKeys.append(key) }
        audit.asked(keyPath + key)
        if let declared, !handledKeys.contains(key) {
            if let spec = declared.first(where: { $0.key == key }) {
                if let problem = read.disagreement(with: spec) { audit.drifted("'\(keyPath + key)' \(problem)") }
            } else {
                audit.drifted("'\(keyPath + key)' is read but not declared")
            }
        }
        guard let value = node[key], !value.isNull else { return nil }
        return value
    }

    /// Every entry of the options, all marked as known: for plugins whose keys are data (`rename`).
    public func entries() -> [ConfigEntry] {
        consumedAll = true
        audit.tookWhole(String(keyPath.dropLast()))
        return node.mapping ?? []
    }

    /// A string option; `nil` (and a problem, when `required`) if absent.
    public func string(_ key: String, default defaultValue: String? = nil, required: Bool = false) -> String? {
        guard let value = lookup(key, as: .string(default: defaultValue, required: required)) else {
            if required && defaultValue == nil { report("\(context) needs '\(key)'") }
            return defaultValue
        }
        guard let text = value.scalar else {
            report("'\(key)' must be a string, found \(value.kindDescription)", at: value.location)
            return nil
        }
        return text
    }

    /// One of a fixed set of words.
    public func choice(_ key: String, of choices: [String], default defaultValue: String) -> String? {
        guard let value = lookup(key, as: .choice(choices, default: defaultValue)) else { return defaultValue }
        guard let text = value.scalar, choices.contains(text) else {
            let found = value.scalar.map { "'\($0)'" } ?? value.kindDescription
            let hint = value.scalar.map { Suggestion.hint(for: $0, among: choices) } ?? ""
            report("'\(key)' must be one of \(choices.joined(separator: ", ")), found \(found).\(hint)", at: value.location)
            return nil
        }
        return text
    }

    /// An integer option within `range`.
    public func int(_ key: String, default defaultValue: Int? = nil, in range: ClosedRange<Int> = 0...Int.max) -> Int? {
        guard let value = lookup(key, as: .int(range, default: defaultValue)) else { return defaultValue }
        guard let text = value.scalar, let number = Int(text.replacingUnderscores()) else {
            report("'\(key)' must be a whole number, found \(value.describedForMessage)", at: value.location)
            return nil
        }
        guard range.contains(number) else {
            report("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(number)", at: value.location)
            return nil
        }
        return number
    }

    /// A `true`/`false` option.
    public func bool(_ key: String, default defaultValue: Bool) -> Bool? {
        guard let value = lookup(key, as: .bool(default: defaultValue)) else { return defaultValue }
        switch value.scalar {
        case "true": return true
        case "false": return false
        default:
            report("'\(key)' must be true or false, found \(value.describedForMessage)", at: value.location)
            return nil
        }
    }

    /// A duration option (`250ms`, `5s`, `1m`, `2h`), at least `minimum`.
    public func duration(_ key: String, default defaultValue: Duration? = nil, minimum: Duration = .zero) -> Duration? {
        guard let value = lookup(key, as: .duration(minimum: minimum, default: defaultValue)) else { return defaultValue }
        guard let text = value.scalar, let duration = Units.duration(text) else {
            report("'\(key)' must be a duration like 250ms, 5s, 1m or 2h, found \(value.describedForMessage)", at: value.location)
            return nil
        }
        guard duration >= minimum else {
            report("'\(key)' must be at least \(Units.describe(minimum)), found '\(value.scalar ?? "")'", at: value.location)
            return nil
        }
        guard duration <= Units.maximumDuration else {
            report("'\(key)' must be at most 365 days, found '\(value.scalar ?? "")'", at: value.location)
            return nil
        }
        return duration
    }

    /// A size option (`512`, `64KiB`, `1MiB`), at least `minimum` bytes.
    public func size(_ key: String, default defaultValue: Int? = nil, minimum: Int = 1) -> Int? {
        guard let value = lookup(key, as: .size(minimum: minimum, default: defaultValue)) else { return defaultValue }
        guard let text = value.scalar, let bytes = Units.size(text) else {
            report("'\(key)' must be a size like 512, 64KiB or 1MiB, found \(value.describedForMessage)", at: value.location)
            return nil
        }
        guard bytes >= minimum else {
            report("'\(key)' must be at least \(Units.describe(bytes: minimum)), found '\(value.scalar ?? "")'", at: value.location)
            return nil
        }
        return bytes
    }

    /// A list of strings; a single string is accepted as a list of one.
    public func stringList(_ key: String) -> [String]? {
        guard let value = lookup(key, as: .stringList) else { return nil }
        if let text = value.scalar { return [text] }
        guard let elements = value.sequence else {
            report("'\(key)' must be a list of strings, found \(value.kindDescription)", at: value.location)
            return nil
        }
        var strings: [String] = []
        for element in elements {
            guard let text = element.scalar else {
                report("'\(key)' must be a list of strings; this element is \(element.kindDescription)", at: element.location)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    /// A map of strings to strings (headers, renames), in file order.
    public func stringMap(_ key: String) -> [(key: String, value: String)]? {
        guard let value = lookup(key, as: .stringMap) else { return nil }
        guard let entries = value.mapping else {
            report("'\(key)' must be a map, found \(value.kindDescription)", at: value.location)
            return nil
        }
        var pairs: [(key: String, value: String)] = []
        for entry in entries {
            guard let text = entry.value.scalar else {
                report("'\(key).\(entry.key)' must be a string, found \(entry.value.kindDescription)", at: entry.value.location)
                continue
            }
            pairs.append((entry.key, text))
        }
        return pairs
    }

    /// A nested map of options, read by its own reader (which the caller must ``finish()``).
    /// When the key is declared as a ``OptionType/map(_:)``, the nested reader takes that map's
    /// declared options.
    public func nested(_ key: String) -> OptionsReader? {
        guard let value = lookup(key, as: .nested) else { return nil }
        let reader = OptionsReader(node: value, context: "'\(key)'", diagnostics: diagnostics, shared: shared)
        reader.audit = audit
        reader.keyPath = keyPath + key + "."
        if case .map(let options)? = declared?.first(where: { $0.key == key })?.type { reader.declare(options) }
        return reader
    }

    /// Reports every key the plugin does not take — not declared, or, when it declared
    /// nothing, never asked for — suggesting the closest key it does take.
    public func finish() {
        guard !consumedAll, let entries = node.mapping else { return }
        let known = declared.map { $0.map(\.key) + handledKeys } ?? askedKeys
        for entry in entries where !known.contains(entry.key) {
            let hint = Suggestion.hint(for: entry.key, among: known)
            report("unknown key '\(entry.key)' in \(context).\(hint)", at: entry.keyLocation)
        }
    }
}

extension ConfigNode {
    /// The value quoted for an error message: `'abc'`, or its kind when not a scalar.
    public var describedForMessage: String {
        scalar.map { "'\($0)'" } ?? kindDescription
    }
}

extension String {
    func replacingUnderscores() -> String { filter { $0 != "_" } }
}
