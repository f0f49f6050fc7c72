import GatewayConfig
import GatewayPlugin
import GatewayServer

extension GatewaySettings {
    /// What `gateway run` serves for a loaded `gateway.yaml`.
    /// - Parameters:
    ///   - configuration: the loaded file.
    ///   - listen: overrides `server.listen`.
    ///   - makeEngine: builds the cluster engine from `cluster.nats`; called once, and only when the
    ///     file has a `cluster:` section. A parameter so that this mapping stays free of any engine
    ///     (and tests give it a stand-in); what it throws is passed on.
    init(
        _ configuration: GatewayConfiguration, listen: ListenAddress? = nil,
        makeEngine: (NATSConnectionConfig) throws -> any ClusterEngine
    ) rethrows {
        var server = ServerSettings()
        server.listen = listen ?? configuration.server.listen
        server.heartbeat = configuration.server.heartbeat
        server.retry = configuration.server.retry
        server.maxClients = configuration.server.maxClients
        server.clientBuffer = configuration.server.clientBuffer
        server.stallTimeout = configuration.server.stallTimeout
        server.requestTimeout = configuration.server.requestTimeout
        server.corsOrigins = configuration.server.cors?.origins
        server.tls = configuration.server.tls.map { TLSFiles(certificateChain: $0.cert, privateKey: $0.key) }
        server.dashboard = configuration.server.dashboard
        server.metrics = configuration.server.metrics
        server.http2 = configuration.server.http2
        server.compression = configuration.server.compression
        let cluster = try configuration.cluster.map { cluster in
            ClusterSettings(
                engine: try makeEngine(cluster.connection), name: cluster.name, lease: cluster.lease, outbox: cluster.outbox,
                cache: cluster.cache, replicas: cluster.replicas)
        }
        self.init(
            server: server,
            sources: configuration.sources.map {
                var source = SourceSettings(name: $0.name, type: $0.type, maxEventSize: $0.maxEventSize, source: $0.source)
                source.fingerprint = $0.fingerprint
                return source
            },
            endpoints: configuration.endpoints.map { EndpointSettings($0) },
            cluster: cluster)
        restartFingerprint = configuration.restartFingerprint + "|listen=\(server.listen)"
    }
}
