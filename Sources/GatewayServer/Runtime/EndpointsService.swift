import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The endpoints as a service: at the group's end (sources stopped, listener closed) it
/// publishes what the endpoints were handed, ends every stream once its bytes are written,
/// stops the transforms and then the pipeline loops.
///
/// A stream whose client is behind ends once it has caught up. Whatever is still open after
/// the grace is closed: ``GatewayServer/shutdownGrace`` on a signal, `stall_timeout` when a
/// source asked to stop, so every client that keeps reading gets the last event.
struct EndpointsService: Service {
    /// The endpoints running when the group stops (a reload may have changed them), then the
    /// dashboard's status stream.
    let endpoints: @Sendable () -> [EndpointStream]
    let pipelineLoops: MultiThreadedEventLoopGroup
    let stopRequest: StopRequest
    let stallTimeout: TimeAmount
    let logger: Logger

    func run() async throws {
        let cancelled = (try? await gracefulShutdown()) == nil
        let grace: TimeAmount = cancelled ? .zero : stopRequest.wasAsked ? stallTimeout : GatewayServer.shutdownGrace
        let endpoints = self.endpoints()
        for endpoint in endpoints { try? await endpoint.afterPublishing().get() }
        await Self.closeStreams(of: endpoints, reason: .shutdown, grace: grace)
        for endpoint in endpoints { try? await endpoint.stopTransforms().get() }
        try? await pipelineLoops.shutdownGracefully()
        logger.info("stopped")
    }

    /// Ends every stream of `endpoints` once its queued bytes are written; closes what is left
    /// after `grace`. At the end, and for the endpoints a reload removes.
    static func closeStreams(of endpoints: [EndpointStream], reason: DisconnectReason, grace: TimeAmount) async {
        let fanOuts = endpoints.flatMap(\.fanOuts)
        guard let anyLoop = fanOuts.first?.loop else { return }
        let closed = fanOuts.map { fanOut in
            fanOut.loop.flatSubmit { fanOut.closeAll(reason: reason) }
        }
        let all = EventLoopFuture.andAllComplete(closed, on: anyLoop)
        let timeout = anyLoop.scheduleTask(in: grace) {
            for fanOut in fanOuts { fanOut.loop.execute { fanOut.forceCloseAll() } }
        }
        try? await all.get()
        timeout.cancel()
        // Whatever way they ended, no fan-out keeps a timer on a loop that outlives the gateway
        // (a program that starts and stops gateways on one group).
        let stopped = fanOuts.map { fanOut in fanOut.loop.submit { fanOut.forceCloseAll() } }
        try? await EventLoopFuture.andAllComplete(stopped, on: anyLoop).get()
    }
}
