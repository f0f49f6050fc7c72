import GatewayPlugin

/// Reads the top-level sections of `gateway.yaml`, reporting every problem.
struct DocumentReader {
    let file: String
    let root: ConfigNode
    let registry: PluginRegistry
    let diagnostics: Diagnostics

    static let sections = ["server", "sources", "endpoints", "cluster"]

    func read() -> GatewayConfiguration? {
        guard let entries = root.mapping else {
            diagnostics.report(
                "the configuration must be a map with 'server', 'sources' and 'endpoints', found \(root.kindDescription)",
                at: root.location)
            return nil
        }
        for entry in entries where !Self.sections.contains(entry.key) {
            let hint = Suggestion.hint(for: entry.key, among: Self.sections)
            diagnostics.report("unknown key '\(entry.key)' at the top level.\(hint)", at: entry.keyLocation)
        }
        let server = root["server"].flatMap { ServerSectionReader(diagnostics: diagnostics).read($0) } ?? ServerConfig()
        // The cluster first: sources may use its connection (SharedConfig), endpoints its logs.
        let clusterEntry = entries.first { $0.key == "cluster" }
        let cluster = clusterEntry.flatMap { ClusterSectionReader(diagnostics: diagnostics).read($0) }
        let sharedConnection: SharedValue<NATSConnectionConfig> =
            clusterEntry == nil ? .absent : cluster.map { .present($0.connection) } ?? .invalid
        let sources = SourcesSectionReader(
            registry: registry, diagnostics: diagnostics, shared: SharedConfig(natsConnection: sharedConnection, listensOnLoopbackOnly: server.listen.isLoopback)
        ).read(root["sources"], root: root)
        // Endpoints may name any declared source, valid or not: a broken source is reported once, where it is.
        let declared = root["sources"]?.mapping?.map(\.key) ?? []
        let endpoints = EndpointsSectionReader(
            registry: registry, diagnostics: diagnostics, declaredSources: declared, hasClusterSection: clusterEntry != nil
        ).read(root["endpoints"], root: root)
        PushPathChecks(diagnostics: diagnostics).check(sources: sources, endpoints: endpoints, sourcesNode: root["sources"])
        var configuration = GatewayConfiguration(file: file, server: server, sources: sources, endpoints: endpoints, cluster: cluster)
        configuration.restartFingerprint = (root["server"]?.fingerprint ?? "") + "|" + (root["cluster"]?.fingerprint ?? "")
        return configuration
    }
}
