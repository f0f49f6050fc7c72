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

    /// Creates a configuration.
    public init(file: String, server: ServerConfig, sources: [SourceConfig], endpoints: [EndpointConfig]) {
        self.file = file
        self.server = server
        self.sources = sources
        self.endpoints = endpoints
    }

    /// The source named `name`.
    public func source(named name: String) -> SourceConfig? {
        sources.first { $0.name == name }
    }
}
