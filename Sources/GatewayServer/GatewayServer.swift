import GatewayConfig
import GatewayPlugin
import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running gateway: its sources, endpoints and HTTP server, as one `Service`.
///
/// ```swift
/// let server = try GatewayServer(configuration: configuration, group: group, logger: logger)
/// let address = try await server.bind()          // fails at once when the port is taken
/// let services = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await services.run()                       // serves until a signal (or a source) stops it
/// ```
///
/// Stopping cancels the sources, closes the listening socket, publishes what the endpoints
/// were handed, closes every stream once its bytes are written (forcibly after
/// ``shutdownGrace`` on a signal; after `stall_timeout` when a source asked to stop, so every
/// client that keeps reading gets the last event).
public final class GatewayServer: Service, Sendable {
    /// How long streams get to take their last bytes at shutdown.
    public static let shutdownGrace: TimeAmount = .milliseconds(700)

    private let configuration: GatewayConfiguration
    private let listen: ListenAddress
    private let group: any EventLoopGroup
    /// Where endpoint pipelines run: loops of their own, so a slow transform delays its own
    /// endpoint (and those sharing its loop), never a loop that writes to clients.
    private let pipelineLoops: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let registry: PrometheusCollectorRegistry
    private let context: ServerContext
    private let endpoints: [EndpointStream]
    private let statusStream: EndpointStream?
    private let sources: [RunningSource]
    private let tls: NIOSSLContext?
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    private let stops: (stream: AsyncStream<StopReason>, continuation: AsyncStream<StopReason>.Continuation)

    private enum StopReason: Sendable {
        case signal
        case sourceAskedToStop
    }

    /// Prepares a gateway for `configuration`; nothing runs until ``run()``.
    /// - Parameters:
    ///   - configuration: a loaded, valid configuration.
    ///   - listen: overrides `server.listen` (`--listen`).
    ///   - group: the event loops serving clients; one fan-out per loop and endpoint.
    ///   - logger: the logger; endpoint, source and client metadata are added to it.
    public init(configuration: GatewayConfiguration, listen: ListenAddress? = nil, group: any EventLoopGroup, logger: Logger) throws {
        self.configuration = configuration
        self.listen = listen ?? configuration.server.listen
        self.group = group
        self.logger = logger
        self.registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry))
        self.tls = try configuration.server.tls.map(HTTPListener.makeTLSContext)

        let loops = Array(group.makeIterator())
        let heartbeat = TimeAmount(configuration.server.heartbeat)
        let stallTimeout = TimeAmount(configuration.server.stallTimeout)
        let pullBytes = ClientBuffer(clientBuffer: configuration.server.clientBuffer).pullBytes
        let epoch = Self.epochMilliseconds()
        // The dashboard's own stream is not one of the user's endpoints: it stays out of /metrics.
        let unreported = GatewayMetrics(factory: NOOPMetricsHandler.instance)
        let pipelineThreads = min(max(1, configuration.endpoints.count), max(2, System.coreCount))
        let pipelineLoops = MultiThreadedEventLoopGroup(numberOfThreads: pipelineThreads)
        self.pipelineLoops = pipelineLoops
        func makeEndpoint(
            path: String, steps: [Pipeline.Step], ids: IDMode, replay: Int, auth: AuthConfig?, resetEvent: String?, isInternal: Bool
        ) -> EndpointStream {
            var endpointLogger = logger
            endpointLogger[metadataKey: "endpoint"] = "\(path)"
            let endpointMetrics = (isInternal ? unreported : metrics).endpoint(path)
            let stamper = IDStamper(mode: ids, epoch: epoch)
            let log = MemoryLog(replay: replay, stamper: stamper)
            let fanOuts = loops.map {
                LoopFanOut(
                    loop: $0, log: log, endpoint: path, heartbeat: heartbeat, stallTimeout: stallTimeout, pullBytes: pullBytes,
                    metrics: endpointMetrics, logger: endpointLogger)
            }
            // `next()` goes round the pipeline loops: endpoints take them in turn as their executors.
            return EndpointStream(
                path: path, pipeline: Pipeline(steps: steps), stamper: stamper, log: log, executor: pipelineLoops.next(), auth: auth,
                resetEvent: resetEvent, fanOuts: fanOuts, metrics: endpointMetrics, logger: endpointLogger,
                recentCapacity: isInternal || !configuration.server.dashboard ? 0 : 6, isInternal: isInternal)
        }
        let endpoints = configuration.endpoints.map { endpoint in
            makeEndpoint(
                path: endpoint.path, steps: endpoint.pipeline.map { Pipeline.Step(name: $0.name, transform: $0.factory.make()) },
                ids: endpoint.ids, replay: endpoint.replay, auth: endpoint.auth, resetEvent: endpoint.resetEvent, isInternal: false)
        }
        self.endpoints = endpoints
        let statusStream =
            configuration.server.dashboard
            ? makeEndpoint(path: Router.statusPath, steps: [], ids: .sequence, replay: 1, auth: nil, resetEvent: nil, isInternal: true)
            : nil
        self.statusStream = statusStream
        let sources = configuration.sources.map { source in
            RunningSource(
                config: source,
                endpoints: zip(configuration.endpoints, endpoints).filter { $0.0.from.contains(source.name) }.map(\.1),
                metrics: metrics.source(source.name), logger: logger)
        }
        self.sources = sources
        let registry = self.registry
        let openFiles = OpenFileLimit.current().soft
        let connections = ConnectionBudget(
            openFileLimit: openFiles,
            reserved: ConnectionBudget.reserve(openFileLimit: openFiles, eventLoops: loops.count, sources: configuration.sources.count),
            metrics: metrics, logger: logger)
        if configuration.server.maxClients > connections.capacity {
            logger.warning(
                "max_clients is above the connections the open-file limit allows; raise the limit (ulimit -n, LimitNOFILE)",
                metadata: [
                    "max_clients": "\(configuration.server.maxClients)", "connections": "\(connections.capacity)",
                    "open_file_limit": "\(openFiles)",
                ])
        }
        self.context = ServerContext(
            router: Router(endpoints: configuration.endpoints, server: configuration.server),
            endpoints: endpoints, statusStream: statusStream,
            admission: Admission(limit: configuration.server.maxClients), connections: connections, metrics: metrics,
            retryMilliseconds: Int(TimeAmount(configuration.server.retry).nanoseconds / 1_000_000),
            renderMetrics: { registry.emitToString() },
            sourcesNotReady: { sources.filter { !$0.isReady }.map(\.config.name) },
            requestTimeout: .seconds(30), logger: logger)
        self.stops = AsyncStream.makeStream(of: StopReason.self)
    }

    /// Binds the listening socket and returns the bound address (useful with port 0).
    /// Throws a ``GatewayServerError`` when the address cannot be used.
    @discardableResult
    public func bind() async throws -> SocketAddress {
        if let existing = channel.withLockedValue({ $0 }), let address = existing.localAddress { return address }
        let bound = try await HTTPListener.bind(
            address: listen, group: group, clientBuffer: configuration.server.clientBuffer, tls: tls, server: context)
        channel.withLockedValue { $0 = bound }
        let address = bound.localAddress!
        logger.info(
            "listening",
            metadata: [
                "address": "\(address.ipAddress ?? listen.host):\(address.port ?? listen.port)",
                "scheme": "\(tls == nil ? "http" : "https")",
            ])
        return address
    }

    /// Serves until a graceful shutdown (SIGINT/SIGTERM) or until a source asks the gateway to stop.
    public func run() async throws {
        try await bind()
        startTransforms()
        let stops = self.stops
        await withTaskGroup(of: Void.self) { tasks in
            for source in sources {
                tasks.addTask {
                    if await source.run() { stops.continuation.yield(.sourceAskedToStop) }
                }
            }
            if let statusStream {
                let publisher = StatusPublisher(stream: statusStream, endpoints: endpoints, sources: sources, interval: .seconds(1))
                tasks.addTask { await publisher.run() }
            }
            let reason: StopReason? = await withGracefulShutdownHandler {
                var iterator = stops.stream.makeAsyncIterator()
                return await iterator.next()
            } onGracefulShutdown: {
                stops.continuation.yield(.signal)
            }
            logger.info("stopping", metadata: ["reason": "\(reason.map { "\($0)" } ?? "cancelled")"])
            // Sources first, so that what the endpoints hold is all there is to deliver.
            tasks.cancelAll()
            await stopServing(grace: reason == .sourceAskedToStop ? TimeAmount(configuration.server.stallTimeout) : Self.shutdownGrace)
        }
        for endpoint in endpoints { for step in endpoint.transforms { step.transform.stop() } }
        try? await pipelineLoops.shutdownGracefully()
        logger.info("stopped")
    }

    private func startTransforms() {
        for endpoint in endpoints {
            for (index, step) in endpoint.transforms.enumerated() {
                let name = step.name
                var stepLogger = endpoint.logger
                stepLogger[metadataKey: "transform"] = "\(step.name)"
                step.transform.start(
                    TransformContext(
                        endpoint: endpoint.path, logger: stepLogger,
                        emit: { [endpoint] events in endpoint.ingest(events, fromStep: index + 1) },
                        dropped: { [endpoint] reason, count in endpoint.metrics.dropped(reason: "\(name):\(reason)", count: count) }
                    ))
            }
        }
    }

    /// Stops accepting, publishes what the endpoints were handed, then ends every stream once
    /// its queued bytes are written — a client that is behind once it has caught up — and
    /// closes whatever is still open after `grace`.
    private func stopServing(grace: TimeAmount) async {
        let listening = channel.withLockedValue { $0 }
        try? await listening?.close()
        let allEndpoints = endpoints + (statusStream.map { [$0] } ?? [])
        for endpoint in allEndpoints { try? await endpoint.afterPublishing().get() }
        let fanOuts = allEndpoints.flatMap(\.fanOuts)
        let closed = fanOuts.map { fanOut in
            fanOut.loop.flatSubmit { fanOut.closeAll(reason: .shutdown) }
        }
        let all = EventLoopFuture.andAllComplete(closed, on: group.any())
        let timeout = group.any().scheduleTask(in: grace) {
            for fanOut in fanOuts { fanOut.loop.execute { fanOut.forceCloseAll() } }
        }
        try? await all.get()
        timeout.cancel()
    }

    private static func epochMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
