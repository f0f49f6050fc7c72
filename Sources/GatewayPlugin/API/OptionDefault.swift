/// What holds when an option is absent, as an ``OptionSpec`` declares it.
///
/// A string literal is a value as a user would write it (`"5s"`, `"1MiB"`, `"changes"`); the
/// reader checks it against the default the plugin reads with, so the two cannot differ.
public struct OptionDefault: Sendable, Hashable, ExpressibleByStringLiteral {
    /// What kind of default it is.
    public enum Kind: Sendable, Hashable {
        /// This value, as written in `gateway.yaml`.
        case value(String)
        /// The option must be given.
        case required
        /// No value.
        case none
    }

    /// What kind of default it is.
    public let kind: Kind
    /// A few words that qualify it: what absence means (`` `message` ``, `the whole body`), or
    /// when the option is required (`without 'stream'`); Markdown.
    public let note: String?

    private init(_ kind: Kind, note: String? = nil) {
        self.kind = kind
        self.note = note
    }

    /// The value used when the key is absent, as a user would write it.
    public static func value(_ text: String) -> OptionDefault { OptionDefault(.value(text)) }

    /// The option must be given.
    public static let required = OptionDefault(.required)

    /// The option must be given in some cases: `.required("without `stream`")`.
    public static func required(_ condition: String) -> OptionDefault { OptionDefault(.required, note: condition) }

    /// The option has no value when absent.
    public static let none = OptionDefault(.none)

    /// The option has no value when absent, and the plugin then does what `meaning` says:
    /// `.none(meaning: "`message`")`, `.none(meaning: "the whole body")`.
    public static func none(meaning: String) -> OptionDefault { OptionDefault(.none, note: meaning) }

    /// `"5s"` is `.value("5s")`.
    public init(stringLiteral text: String) { self.init(.value(text)) }

    /// The default as a table shows it (Markdown): `` `5s` ``, `required`, `none (the whole body)`.
    public var markdown: String {
        switch kind {
        case .value(let text): "`\(text)`"
        case .required: note.map { "required \($0)" } ?? "required"
        case .none: note.map { "none (\($0))" } ?? "none"
        }
    }
}
