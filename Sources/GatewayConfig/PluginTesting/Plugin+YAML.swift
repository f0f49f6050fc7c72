import GatewayPlugin

/// Loading one plugin's options from YAML text, exactly as `gateway.yaml` would — for plugin
/// authors' tests, so they need neither a whole configuration nor a YAML library of their own.
///
/// ```swift
/// let factory = try FilterTransform.plugin.prepare(yaml: "{ event: quote }").get()
/// let filter = factory.make()
/// ```
extension TransformPlugin {
    /// Validates `yaml` as this transform's options; the problems, positioned in `file`, on failure.
    public func prepare(yaml: String, file: String = "test.yaml", environment: [String: String] = [:]) -> Result<TransformFactory, ConfigErrors> {
        PluginYAML.read(yaml, file: file, environment: environment) { node, diagnostics in
            let options = OptionsReader(node: node, context: "'\(name)'", diagnostics: diagnostics)
            let factory = prepare(options)
            options.finish()
            return factory
        }
    }
}

extension SourcePlugin {
    /// Validates `yaml` as this source's options (without `type`); the problems on failure.
    /// `shared` stands for what the rest of a `gateway.yaml` would offer (``SharedConfig``).
    public func make(
        yaml: String, file: String = "test.yaml", environment: [String: String] = [:], shared: SharedConfig = SharedConfig()
    ) -> Result<any Source, ConfigErrors> {
        PluginYAML.read(yaml, file: file, environment: environment) { node, diagnostics in
            let options = OptionsReader(
                node: node, context: "source", diagnostics: diagnostics, handledKeys: ["max_event_size"], shared: shared)
            let source = make(options)
            options.finish()
            return source
        }
    }
}

enum PluginYAML {
    static func read<Value>(
        _ yaml: String, file: String, environment: [String: String], _ build: (ConfigNode, Diagnostics) -> Value?
    ) -> Result<Value, ConfigErrors> {
        let diagnostics = Diagnostics()
        let tree = YAMLTree(file: file, interpolation: Interpolation(environment: environment), diagnostics: diagnostics)
        if let node = tree.parse(yaml), let value = build(node, diagnostics), diagnostics.isEmpty {
            return .success(value)
        }
        if diagnostics.isEmpty {
            diagnostics.report("the plugin refused its options without saying why", at: ConfigLocation(file: file, line: 1, column: 1))
        }
        return .failure(ConfigErrors(problems: diagnostics.sortedProblems))
    }
}
