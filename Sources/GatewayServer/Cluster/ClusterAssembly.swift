import CoreMetrics
import Logging
import NIOConcurrencyHelpers

/// Puts together the cluster's parts of one gateway while it is built: per `log: cluster`
/// endpoint its log, its publisher and its sources' gates, then one ``ClusteredEndpoint``
/// service each. Used only by ``GatewayServer``'s initialiser.
final class ClusterAssembly {
    let settings: ClusterSettings
    /// Gates of the sources of clustered endpoints, by source name.
    private(set) var gates: [String: SourceGate] = [:]
    private let metrics: ClusterMetrics
    private let budget: OutboxBudget
    /// Names this process among the cluster's instances (in message ids and leases' logs).
    private let instance: String
    private let factory: any MetricsFactory
    private var parts: [Part] = []
    /// Keeps the engine, and closes it last.
    let engineService: ClusterEngineService

    private struct Part {
        let path: String
        let log: ClusterLog
        let spec: ClusterStreamSpec
        let publisher: ClusterPublisher
        let gates: [SourceGate]
        let metrics: ClusterMetrics.Endpoint
        let onFenced: NIOLockedValueBox<(@Sendable () -> Void)?>
        let logger: Logger
    }

    init(settings: ClusterSettings, metrics: GatewayMetrics, logger: Logger) {
        self.settings = settings
        self.factory = metrics.factory
        let clusterMetrics = ClusterMetrics(factory: metrics.factory)
        self.metrics = clusterMetrics
        self.budget = OutboxBudget(limit: settings.outbox, gauge: clusterMetrics.outboxBytes)
        self.instance = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let engine = settings.engine
        let closing = NIOLockedValueBox(false)
        self.engineService = ClusterEngineService(engine: engine, closing: closing)
        clusterMetrics.connected.record(engine.isConnected ? 1 : 0)
        engine.onConnectionChange { connected in
            clusterMetrics.connected.record(connected ? 1 : 0)
            if connected {
                logger.info("cluster engine connected")
            } else if closing.withLockedValue({ $0 }) {
                logger.info("cluster engine connection closed")
            } else {
                logger.warning("cluster engine unreachable: serving from the cache, holders keep what they cannot publish")
            }
        }
    }

    /// The log and the pipeline's outlet of a clustered endpoint.
    func endpoint(
        _ endpoint: EndpointSettings, loops: Int, metrics endpointMetrics: EndpointMetrics, logger: Logger
    ) -> (log: ClusterLog, forward: @Sendable ([ClusterEvent]) -> Void) {
        let cacheEvents = max(1, min(endpoint.replay, settings.cache))
        let channel = endpoint.channel
        let log = ClusterLog(cacheEvents: cacheEvents, logger: logger) { stamper, floor in
            guard let channel else { return MemoryLog(replay: cacheEvents, stamper: stamper) }
            let gauge = endpointMetrics.channelGauge()
            return Channels(
                replay: cacheEvents, maxChannels: channel.maxChannels, replayBytes: channel.replayBytes, stamper: stamper, loops: loops,
                floor: floor, evicted: { endpointMetrics.channelEvicted($0) }, counted: { gauge.set($0) })
        }
        let spec = ClusterStreamSpec(
            endpoint: endpoint.path, cluster: settings.name, replay: endpoint.replay, maxAge: endpoint.replayAge,
            maxBytes: channel?.replayBytes, hasChannels: channel != nil, replicas: settings.replicas)
        let partMetrics = metrics.endpoint(endpoint.path, factory: factory)
        let onFenced = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)
        let publisher = ClusterPublisher(
            endpoint: endpoint.path, budget: budget, instance: instance, metrics: partMetrics, logger: logger,
            onFenced: { onFenced.withLockedValue { $0 }?() })
        var endpointGates: [SourceGate] = []
        for source in endpoint.sources {
            let gate = gates[source] ?? SourceGate()
            gates[source] = gate
            endpointGates.append(gate)
        }
        parts.append(
            Part(
                path: endpoint.path, log: log, spec: spec, publisher: publisher, gates: endpointGates, metrics: partMetrics,
                onFenced: onFenced, logger: logger))
        return (log, { publisher.submit($0) })
    }

    /// One service per clustered endpoint, once the endpoints exist.
    func services(endpoints: [EndpointStream]) -> [ClusteredEndpoint] {
        parts.compactMap { part in
            guard let endpoint = endpoints.first(where: { $0.path == part.path }) else { return nil }
            let service = ClusteredEndpoint(
                endpoint: endpoint, log: part.log, spec: part.spec, settings: settings, publisher: part.publisher, gates: part.gates,
                budget: budget, metrics: part.metrics, logger: part.logger)
            part.onFenced.withLockedValue { $0 = { [weak service] in service?.fenced() } }
            return service
        }
    }
}

extension GatewayServer {
    /// The cluster's parts, or `nil` without `cluster:`; throws when an endpoint asks for the
    /// cluster and there is none.
    static func clusterParts(settings: GatewaySettings, metrics: GatewayMetrics, logger: Logger) throws -> ClusterAssembly? {
        guard let cluster = settings.cluster else {
            if let endpoint = settings.endpoints.first(where: { $0.log == .cluster }) {
                throw GatewayServerError.settings("\(endpoint.path) has log: cluster, and there are no cluster settings")
            }
            return nil
        }
        return ClusterAssembly(settings: cluster, metrics: metrics, logger: logger)
    }
}
