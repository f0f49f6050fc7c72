import GatewayPlugin

/// What a gateway serves: the server's settings, the sources it reads and the endpoints it
/// publishes.
///
/// These are the server's own types, so nothing here depends on how a configuration is
/// written down: `gateway run` maps a loaded `gateway.yaml` onto them, and a test or an
/// embedding program builds them directly.
public struct GatewaySettings: Sendable {
    /// How the server listens and treats clients.
    public var server: ServerSettings
    /// The sources, each read once and fed to every endpoint that names it.
    public var sources: [SourceSettings]
    /// The endpoints, in the order they were declared.
    public var endpoints: [EndpointSettings]
    /// The cluster this gateway belongs to; `nil` for a gateway on its own (every endpoint's
    /// log in memory).
    public var cluster: ClusterSettings?
    /// Names what a reload cannot change in a running gateway (the server and cluster settings):
    /// when it differs from the running settings', the reload logs that a restart is needed.
    public var restartFingerprint = ""

    /// Creates settings.
    public init(
        server: ServerSettings = ServerSettings(), sources: [SourceSettings], endpoints: [EndpointSettings],
        cluster: ClusterSettings? = nil
    ) {
        self.cluster = cluster
        self.server = server
        self.sources = sources
        self.endpoints = endpoints
    }
}

/// A source to run: a configured plugin and its name.
public struct SourceSettings: Sendable {
    /// The name endpoints refer to it by; it names the source in logs and metrics.
    public var name: String
    /// The plugin's type, for logs and the dashboard.
    public var type: String
    /// Larger events are dropped, logged and counted.
    public var maxEventSize: Int
    /// The configured source, ready to run.
    public var source: any Source
    /// Names its configuration: a reload restarts the source when it changed (SPEC §8).
    public var fingerprint = ""

    /// Creates a source entry.
    public init(name: String, type: String, maxEventSize: Int = 1 << 20, source: any Source) {
        self.name = name
        self.type = type
        self.maxEventSize = maxEventSize
        self.source = source
    }
}
