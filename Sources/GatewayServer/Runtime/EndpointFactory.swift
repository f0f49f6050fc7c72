import CoreMetrics
import Logging
import NIOCore
import NIOPosix

/// Makes an endpoint's run-time parts from its settings: its log (memory, channels, a
/// cluster's cache; under a snapshot when it has one), a fan-out per client loop, its pipeline
/// and its executor. At start for every endpoint, and on a reload (SPEC §8) for new ones.
struct EndpointFactory: Sendable {
    /// The loops that serve clients: one fan-out per loop and endpoint.
    let loops: [any EventLoop]
    /// Where pipelines run; endpoints take its loops in turn.
    let pipelineLoops: MultiThreadedEventLoopGroup
    let metrics: GatewayMetrics
    /// For the dashboard's own stream, which stays out of `/metrics`.
    let unreported: GatewayMetrics
    let server: ServerSettings
    let logger: Logger

    /// The parts of an endpoint whose log is a cluster's stream.
    typealias ClusterParts = (log: ClusterLog, forward: @Sendable ([ClusterEvent]) -> Void)

    /// An endpoint for `endpoint`, its ids named with `epoch` (see ``IDStamper``).
    /// - Parameter cluster: for a `log: cluster` endpoint, makes its log and publisher from its
    ///   metrics and logger.
    func make(
        _ endpoint: EndpointSettings, epoch: UInt64, isInternal: Bool = false,
        cluster: ((EndpointMetrics, Logger) -> ClusterParts)? = nil
    ) -> EndpointStream {
        var endpointLogger = logger
        endpointLogger[metadataKey: "endpoint"] = "\(endpoint.path)"
        let endpointMetrics = (isInternal ? unreported : metrics).endpoint(endpoint.path)
        let stamper = IDStamper(mode: endpoint.ids, epoch: epoch)
        var log: any EventLog
        var forward: (@Sendable ([ClusterEvent]) -> Void)?
        if endpoint.log == .cluster, let cluster {
            let parts = cluster(endpointMetrics, endpointLogger)
            log = parts.log
            forward = parts.forward
        } else if let channel = endpoint.channel {
            let gauge = endpointMetrics.channelGauge()
            log = Channels(
                replay: endpoint.replay, maxChannels: channel.maxChannels, replayBytes: channel.replayBytes, stamper: stamper,
                loops: loops.count,
                evicted: { endpointMetrics.channelEvicted($0) }, counted: { gauge.set($0) })
        } else {
            log = MemoryLog(replay: endpoint.replay, stamper: stamper)
        }
        if let snapshot = endpoint.snapshot {
            let keys = endpointMetrics.snapshotKeysGauge()
            log = SnapshotLog(
                wrapping: log, settings: snapshot, window: endpoint.log == .cluster ? endpoint.replay : nil,
                evicted: { endpointMetrics.snapshotEvicted($0) }, counted: { keys.set($0) })
        }
        let pullBytes = ClientBuffer(clientBuffer: server.clientBuffer).pullBytes
        let fanOuts = loops.enumerated().map {
            LoopFanOut(
                loop: $0.element, index: $0.offset, log: log, endpoint: endpoint.path, heartbeat: TimeAmount(server.heartbeat),
                stallTimeout: TimeAmount(server.stallTimeout), pullBytes: pullBytes, resetEvent: endpoint.resetEvent,
                metrics: endpointMetrics, logger: endpointLogger)
        }
        // `next()` goes round the pipeline loops: endpoints take them in turn as their executors.
        return EndpointStream(
            path: endpoint.path, pipeline: Self.pipeline(endpoint), stamper: stamper, log: log, channelKey: endpoint.channel?.key,
            snapshotKey: endpoint.snapshot?.key, executor: pipelineLoops.next(), tokens: endpoint.tokens, jwt: endpoint.jwt, forward: forward,
            resetEvent: endpoint.resetEvent, fanOuts: fanOuts, metrics: endpointMetrics, logger: endpointLogger,
            recentCapacity: isInternal || !server.dashboard ? 0 : 6, isInternal: isInternal)
    }

    /// Fresh transform instances for `endpoint`'s pipeline.
    static func pipeline(_ endpoint: EndpointSettings) -> Pipeline {
        Pipeline(steps: endpoint.pipeline.map { Pipeline.Step(name: $0.name, transform: $0.factory.make()) })
    }
}
