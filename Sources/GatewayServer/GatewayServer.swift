import GatewayPlugin
import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Prometheus
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A gateway: its sources, endpoints and HTTP server, run as one group of services.
///
/// ```swift
/// let server = try GatewayServer(settings: settings, group: group, logger: logger)
/// let address = try await server.bind()          // optional: fails at once when the port is taken
/// try await server.serviceGroup(gracefulShutdownSignals: [.sigterm, .sigint]).run()
/// ```
///
/// Every long-running part is a `Service` of that one group; see ``serviceGroup(dependencies:gracefulShutdownSignals:)``
/// for the order in which they start and stop.
public final class GatewayServer: Sendable {
    /// How long streams get to take their last bytes at shutdown on a signal.
    public static let shutdownGrace: TimeAmount = .milliseconds(700)

    let settings: GatewaySettings
    private let group: any EventLoopGroup
    /// Where endpoint pipelines run: loops of their own, so a slow transform delays its own
    /// endpoint (and those sharing its loop), never a loop that writes to clients.
    private let pipelineLoops: MultiThreadedEventLoopGroup
    let logger: Logger
    private let registry: PrometheusCollectorRegistry
    let metrics: GatewayMetrics
    private let context: ServerContext
    let statusStream: EndpointStream?
    /// Makes endpoints, at start and on a reload.
    let factory: EndpointFactory
    /// Runs the sources; a reload starts and stops them through it.
    let supervisor: SourceSupervisor
    /// What runs now: a reload replaces parts of it.
    let live: NIOLockedValueBox<Live>
    /// The `log: cluster` endpoints' part in the cluster, one service each.
    private let clustered: [ClusteredEndpoint]
    /// Keeps the cluster's engine and closes it last; `nil` without a cluster.
    private let clusterEngine: ClusterEngineService?
    let stopRequest = StopRequest()
    /// The tickets issued and not yet used (SPEC §6): kept across reloads, so a ticket issued
    /// before one opens its stream after it.
    let tickets: TicketStore
    private let tls: NIOSSLContext?
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    /// The endpoints and sources running now, each with the settings it runs with.
    struct Live {
        var endpoints: [(settings: EndpointSettings, stream: EndpointStream)]
        var sources: [RunningSource]
        /// What a reload cannot change (see ``GatewaySettings/restartFingerprint``).
        var restartFingerprint: String
    }

    /// Prepares a gateway; nothing runs until its ``serviceGroup(dependencies:gracefulShutdownSignals:)`` runs.
    /// - Parameters:
    ///   - settings: what to serve.
    ///   - group: the event loops serving clients; one fan-out per loop and endpoint.
    ///   - logger: the logger; endpoint, source and client metadata are added to it.
    public init(settings: GatewaySettings, group: any EventLoopGroup, logger: Logger) throws {
        self.settings = settings
        self.group = group
        self.logger = logger
        self.registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(factory: DescribedPrometheusFactory(registry: registry))
        self.metrics = metrics
        self.tls = try settings.server.tls.map { try HTTPListener.makeTLSContext($0, http2: settings.server.http2) }
        let tickets = TicketStore()
        self.tickets = tickets

        let loops = Array(group.makeIterator())
        let server = settings.server
        let epoch = Self.epochMilliseconds()
        let pipelineThreads = min(max(1, settings.endpoints.count), max(2, System.coreCount))
        let pipelineLoops = MultiThreadedEventLoopGroup(numberOfThreads: pipelineThreads)
        self.pipelineLoops = pipelineLoops
        let cluster = try Self.clusterParts(settings: settings, metrics: metrics, logger: logger)
        // The dashboard's own stream is not one of the user's endpoints: it stays out of /metrics.
        let factory = EndpointFactory(
            loops: loops, pipelineLoops: pipelineLoops, metrics: metrics, unreported: GatewayMetrics(factory: NOOPMetricsHandler.instance),
            server: server, logger: logger)
        self.factory = factory
        let endpoints = settings.endpoints.map { endpoint in
            factory.make(endpoint, epoch: epoch) { endpointMetrics, endpointLogger in
                cluster!.endpoint(endpoint, loops: loops.count, metrics: endpointMetrics, logger: endpointLogger)
            }
        }
        let statusStream =
            server.dashboard
            ? factory.make(EndpointSettings(path: Router.statusPath, sources: [], replay: 1, resetEvent: nil), epoch: epoch, isInternal: true)
            : nil
        self.statusStream = statusStream
        let stopRequest = self.stopRequest
        let sources = settings.sources.map { source in
            let gate = cluster?.gates[source.name]
            var relay: PushRelay?
            if let gate, let engine = settings.cluster?.engine, let route = (source.source as? any PushSource)?.route {
                relay = PushRelay(source: source.name, route: route, gate: gate, engine: engine)
            }
            return RunningSource(
                config: source,
                endpoints: zip(settings.endpoints, endpoints).filter { $0.0.sources.contains(source.name) }.map(\.1),
                metrics: metrics.source(source.name), stopRequest: stopRequest, gate: gate, relay: relay, logger: logger)
        }
        self.supervisor = SourceSupervisor(sources: sources)
        for result in ["ok", "invalid"] { metrics.configReload(result: result, count: 0) }
        let live = NIOLockedValueBox(
            Live(endpoints: Array(zip(settings.endpoints, endpoints)), sources: sources, restartFingerprint: settings.restartFingerprint))
        self.live = live
        self.clustered = cluster?.services(endpoints: endpoints) ?? []
        self.clusterEngine = cluster?.engineService
        let clustered = self.clustered
        let engine = settings.cluster?.engine
        let registry = self.registry
        let openFiles = OpenFileLimit.current().soft
        let connections = ConnectionBudget(
            openFileLimit: openFiles,
            reserved: ConnectionBudget.reserve(openFileLimit: openFiles, eventLoops: loops.count, sources: settings.sources.count),
            metrics: metrics, logger: logger)
        if server.maxClients > connections.capacity {
            logger.warning(
                "max_clients is above the connections the open-file limit allows; raise the limit (ulimit -n, LimitNOFILE)",
                metadata: [
                    "max_clients": "\(server.maxClients)", "connections": "\(connections.capacity)",
                    "open_file_limit": "\(openFiles)",
                ])
        }
        self.context = ServerContext(
            router: Routes(
                Self.router(endpoints: endpoints, sources: sources, statusStream: statusStream, tickets: tickets, server: server)),
            admission: Admission(limit: server.maxClients), connections: connections, metrics: metrics,
            retryMilliseconds: Int(TimeAmount(server.retry).nanoseconds / 1_000_000),
            renderMetrics: { registry.emitToString() },
            sourcesNotReady: {
                // A clustered endpoint's sources run on one instance: the cluster says whether this one is ready.
                var waiting = live.withLockedValue { $0.sources }.filter { $0.gate == nil && !$0.isReady }.map(\.config.name)
                if let engine, !engine.isConnected { waiting.append("cluster: unreachable") }
                for part in clustered where !part.log.isOpen { waiting.append("cluster: stream of \(part.endpoint.path) not open") }
                return waiting
            },
            requestTimeout: TimeAmount(server.requestTimeout), compression: server.compression,
            http2: server.http2 ? HTTP2Connections(buffer: ClientBuffer(clientBuffer: server.clientBuffer)) : nil, logger: logger)
    }

    /// The routes for these endpoints and sources (the push sources' paths).
    static func router(
        endpoints: [EndpointStream], sources: [RunningSource], statusStream: EndpointStream?, tickets: TicketStore, server: ServerSettings
    ) -> Router {
        Router(
            endpoints: endpoints, statusStream: statusStream,
            pushRoutes: sources.compactMap { ($0.config.source as? any PushSource)?.route }, pushRelays: sources.compactMap(\.relay),
            tickets: tickets, server: server)
    }

    /// The routes in force (a reload replaces them).
    var routes: Routes { context.router }

    /// Binds the listening socket and returns the bound address (useful with port 0).
    /// Throws a ``GatewayServerError`` when the address cannot be used. The group's listener
    /// uses this socket; without this call it binds when the group starts.
    @discardableResult
    public func bind() async throws -> SocketAddress {
        try await listeningChannel().localAddress!
    }

    private func listeningChannel() async throws -> any Channel {
        if let existing = channel.withLockedValue({ $0 }) { return existing }
        let listen = settings.server.listen
        let bound = try await HTTPListener.bind(
            address: listen, group: group, clientBuffer: settings.server.clientBuffer, tls: tls, server: context)
        channel.withLockedValue { $0 = bound }
        let address = bound.localAddress!
        logger.info(
            "listening",
            metadata: [
                "address": "\(address.ipAddress ?? listen.host):\(address.port ?? listen.port)",
                "scheme": "\(tls == nil ? "http" : "https")",
            ])
        return bound
    }

    /// The gateway as one group of services. Build it once and run it; it returns when the
    /// gateway has stopped (a signal, or a source asking to stop, like `stdin` with `on_eof: exit`).
    ///
    /// The services, in the order they are listed (a group starts them together and stops them
    /// in reverse, each once the one after it has returned):
    /// 1. `dependencies`: what the sources use (the HTTP client, whose thread is joined when it
    ///    stops) — stopped last;
    /// 2. the HTTP/2 connections: at stop, once the endpoints have ended their streams, each
    ///    sends its last GOAWAY and closes (within a grace);
    /// 3. the endpoints: at stop they publish what they were handed, end every stream once its
    ///    bytes are written (within the grace), stop their transforms, then their loops;
    /// 4. the listener: binds at start; at stop closes, so no new client arrives while the
    ///    endpoints drain, and tells the HTTP/2 connections to go away;
    /// 5. the dashboard's status publisher;
    /// 6. the sources (one ``SourceSupervisor``) — stopped first, so what the endpoints hold is all
    ///    there is to deliver.
    ///
    /// Transforms start here, before any source can run: each endpoint's executor takes their
    /// start before any event.
    public func serviceGroup(dependencies: [any Service] = [], gracefulShutdownSignals: [UnixSignal] = []) -> ServiceGroup {
        let endpoints = live.withLockedValue { $0.endpoints.map(\.stream) }
        for endpoint in endpoints { _ = endpoint.startTransforms() }
        let statusStream = self.statusStream
        let endpointsService = EndpointsService(
            endpoints: { [live] in live.withLockedValue { $0.endpoints.map(\.stream) } + (statusStream.map { [$0] } ?? []) },
            pipelineLoops: pipelineLoops, stopRequest: stopRequest, stallTimeout: TimeAmount(settings.server.stallTimeout), logger: logger)
        let http2 = context.http2
        let listener = ListenerService(
            bind: { [self] in try await listeningChannel() }, stopRequest: stopRequest, stopped: { http2?.goAway() }, logger: logger)
        var services: [any Service] = dependencies
        // The engine closes last of the cluster's parts: after the holders have published what they kept.
        if let clusterEngine { services.append(clusterEngine) }
        if let http2 { services.append(HTTP2ConnectionsService(connections: http2)) }
        services += [endpointsService, listener] + clustered as [any Service]
        if let statusStream {
            services.append(
                StatusPublisher(
                    stream: statusStream, running: { [live] in live.withLockedValue { ($0.endpoints.map(\.stream), $0.sources) } },
                    clustered: clustered, interval: .seconds(1)))
        }
        services.append(supervisor)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
        stopRequest.attach(group)
        return group
    }

    static func epochMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
