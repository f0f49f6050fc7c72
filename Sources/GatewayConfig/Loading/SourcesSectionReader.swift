import GatewayPlugin

/// Reads `sources:`, handing each source's options to the plugin its `type:` names.
struct SourcesSectionReader {
    let registry: PluginRegistry
    let diagnostics: Diagnostics
    /// What other sections offer sources (the cluster's NATS connection).
    let shared: SharedConfig

    /// Keys every source has, read here rather than by the plugin.
    static let commonKeys = ["type", "max_event_size"]
    static let defaultMaxEventSize = 1 << 20

    func read(_ node: ConfigNode?, root: ConfigNode) -> [SourceConfig] {
        guard let node else {
            diagnostics.report("the configuration needs 'sources', a map of named sources", at: root.location)
            return []
        }
        guard let entries = node.mapping else {
            diagnostics.report("'sources' must be a map of named sources, found \(node.kindDescription)", at: node.location)
            return []
        }
        return entries.compactMap(readSource)
    }

    private func readSource(_ entry: ConfigEntry) -> SourceConfig? {
        let options = OptionsReader(
            node: entry.value, context: "source '\(entry.key)'", diagnostics: diagnostics, handledKeys: Self.commonKeys,
            shared: shared)
        guard entry.value.mapping != nil else { return nil }
        guard let typeNode = entry.value["type"] else {
            options.report("source '\(entry.key)' needs a 'type' (one of \(knownTypes))", at: entry.keyLocation)
            return nil
        }
        guard let type = typeNode.scalar, let plugin = registry.sources[type] else {
            let hint = typeNode.scalar.map { Suggestion.hint(for: $0, among: registry.sources.keys) } ?? ""
            options.report(
                "unknown source type \(typeNode.describedForMessage).\(hint) Known types: \(knownTypes)", at: typeNode.location)
            return nil
        }
        let maxEventSize = options.size("max_event_size", default: Self.defaultMaxEventSize, minimum: 16)
        let source = plugin.make(options)
        options.finish()
        guard let source, let maxEventSize else { return nil }
        var config = SourceConfig(name: entry.key, type: type, maxEventSize: maxEventSize, source: source, location: entry.keyLocation)
        config.fingerprint = entry.value.fingerprint
        return config
    }

    private var knownTypes: String { registry.sources.keys.sorted().joined(separator: ", ") }
}
