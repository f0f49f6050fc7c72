import GatewayPlugin

/// A loaded, validated `gateway.yaml`: what `gateway run` starts and `gateway check` prints.
public struct GatewayConfiguration: Sendable {
    /// The file it was loaded from, as the user named it.
    public var file: String
    /// The `server:` section.
    public var server: ServerConfig
    /// The `sources:` section, in file order.
    public var sources: [SourceConfig]
    /// The `endpoints:` section, in file order.
    public var endpoints: [EndpointConfig]
    /// The `cluster:` section; `nil` for a gateway on its own.
    public var cluster: ClusterConfig?
    /// The `server:` and `cluster:` sections without positions: what a reload cannot apply to
    /// a running gateway, so a change in them is logged as needing a restart.
    public var restartFingerprint = ""

    /// Creates a configuration.
    public init(
        file: String, server: ServerConfig, sources: [SourceConfig], endpoints: [EndpointConfig], cluster: ClusterConfig? = nil
    ) {
        self.file = file
        self.server = server
        self.sources = sources
        self.endpoints = endpoints
        self.cluster = cluster
    }

    /// The source named `name`.
    public func source(named name: String) -> SourceConfig? {
        sources.first { $0.name == name }
    }
}
