/// A source type that `gateway.yaml` can name with `type:`.
public struct SourcePlugin: Sendable {
    /// The `type:` value, e.g. `sse`.
    public let type: String
    /// One line for `gateway plugins` and error messages.
    public let summary: String
    /// The options it takes, for `gateway plugins` and the README; empty when undeclared.
    public let options: [OptionSpec]
    /// Reads and validates the options, reporting problems through the reader; `nil` when invalid.
    /// The reader has ``options`` declared (``OptionsReader/declare(_:)``) before `make` reads.
    public let make: @Sendable (OptionsReader) -> (any Source)?

    /// Declares a source plugin.
    /// - Parameters:
    ///   - type: the `type:` value in `gateway.yaml`.
    ///   - summary: one line describing it.
    ///   - options: the options it takes: then any other key is unknown, and each read is
    ///     checked against them. Without, the keys `make` asks for are the known ones.
    ///   - make: builds a source from validated options.
    public init(
        type: String, summary: String, options: [OptionSpec] = [], make: @escaping @Sendable (OptionsReader) -> (any Source)?
    ) {
        self.type = type
        self.summary = summary
        self.options = options
        self.make = { reader in
            reader.declare(options)
            return make(reader)
        }
    }
}

/// A transform that a pipeline can name, as the single key of a step: `- filter: {…}`.
public struct TransformPlugin: Sendable {
    /// The step's key, e.g. `filter`.
    public let name: String
    /// One line for `gateway plugins` and error messages.
    public let summary: String
    /// The options it takes, for `gateway plugins` and the README; empty when undeclared.
    public let options: [OptionSpec]
    /// Reads and validates the options once, at load; `nil` when invalid. The result makes
    /// one transform instance per endpoint. The reader has ``options`` declared
    /// (``OptionsReader/declare(_:)``) before `prepare` reads.
    public let prepare: @Sendable (OptionsReader) -> TransformFactory?

    /// Declares a transform plugin.
    /// - Parameters:
    ///   - name: the step's key in a pipeline.
    ///   - summary: one line describing it.
    ///   - options: the options it takes: then any other key is unknown, and each read is
    ///     checked against them. Without, the keys `prepare` asks for are the known ones.
    ///   - prepare: validates options and returns a factory.
    public init(
        name: String, summary: String, options: [OptionSpec] = [], prepare: @escaping @Sendable (OptionsReader) -> TransformFactory?
    ) {
        self.name = name
        self.summary = summary
        self.options = options
        self.prepare = { reader in
            reader.declare(options)
            return prepare(reader)
        }
    }
}

/// A validated transform configuration that makes a fresh instance per endpoint.
public struct TransformFactory: Sendable {
    /// How the plan shows this step, e.g. `filter event = quote`.
    public let summary: String
    /// Makes a new instance with its own state.
    public let make: @Sendable () -> any Transform

    /// Creates a factory.
    public init(summary: String, make: @escaping @Sendable () -> any Transform) {
        self.summary = summary
        self.make = make
    }
}

/// The plugins a gateway binary knows, keyed by the names `gateway.yaml` uses.
///
/// A value: the executable builds one from its built-in list; a custom binary adds its own;
/// tests build one with just what they need.
///
/// ```swift
/// var plugins = PluginRegistry.builtins
/// plugins.register(TransformPlugin(name: "redact", summary: "…", options: Redact.options) { options in … })
/// ```
public struct PluginRegistry: Sendable {
    /// Source plugins by `type:`.
    public private(set) var sources: [String: SourcePlugin] = [:]
    /// Transform plugins by step name.
    public private(set) var transforms: [String: TransformPlugin] = [:]

    /// An empty registry.
    public init() {}

    /// Adds (or replaces) a source type.
    public mutating func register(_ plugin: SourcePlugin) { sources[plugin.type] = plugin }

    /// Adds (or replaces) a transform.
    public mutating func register(_ plugin: TransformPlugin) { transforms[plugin.name] = plugin }
}
