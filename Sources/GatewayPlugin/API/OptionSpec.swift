/// One option a plugin takes, declared once: what `gateway plugins` prints, what the README's
/// option tables are generated from, and what ``OptionsReader`` holds the plugin's reading to.
///
/// A plugin lists its options beside its entry in the registry:
///
/// ```swift
/// static let options: [OptionSpec] = [
///     OptionSpec("url", .string, default: .required, "the API's URL, `http://` or `https://`"),
///     OptionSpec("interval", .duration(minimum: .milliseconds(10)), default: "5s", "time between poll starts"),
///     OptionSpec("reconnect", [
///         OptionSpec("initial", .duration(minimum: .milliseconds(1)), default: "1s", "the first delay"),
///     ]),
/// ]
/// public static let plugin = SourcePlugin(type: "poll", summary: "…", options: options) { PollSource(options: $0) }
/// ```
///
/// With options declared, a key the user writes that is not declared is reported as unknown,
/// and the reader records every read that disagrees with the declaration (a key read but not
/// declared; another type, default, range or set of choices) in ``OptionsReader/audit``, which
/// the built-in plugins' tests require to be empty.
///
/// A key in capitals stands for any key of that form (`OLD` in `rename`, `data.PATH` in
/// `filter`): such a plugin takes its keys as data, with ``OptionsReader/entries()``.
public struct OptionSpec: Sendable, Hashable {
    /// The key, as written in `gateway.yaml`.
    public let key: String
    /// What values it takes.
    public let type: OptionType
    /// What holds when the key is absent.
    public let `default`: OptionDefault
    /// One line saying what it does (Markdown: `code` in backticks).
    public let doc: String

    /// Declares an option.
    /// - Parameters:
    ///   - key: the key in `gateway.yaml`.
    ///   - type: the values it takes.
    ///   - default: what holds when it is absent; a string literal is the value a user would write (`"5s"`).
    ///   - doc: one line saying what it does.
    public init(_ key: String, _ type: OptionType, default: OptionDefault = .none, _ doc: String) {
        self.key = key
        self.type = type
        self.default = `default`
        self.doc = doc
    }

    /// Declares a map of options of its own (`reconnect: { initial: 1s, max: 30s }`), read with
    /// ``OptionsReader/nested(_:)``.
    /// - Parameters:
    ///   - key: the key in `gateway.yaml`.
    ///   - options: the keys the map takes.
    public init(_ key: String, _ options: [OptionSpec]) {
        self.init(key, .map(options), default: .none, "")
    }

    /// The options a table lists: this one, or for a map each of its options with a dotted key
    /// (`reconnect.initial`), recursively.
    public var rows: [OptionSpec] {
        guard case .map(let options) = type else { return [self] }
        return options.flatMap(\.rows).map { OptionSpec("\(key).\($0.key)", $0.type, default: $0.default, $0.doc) }
    }
}
