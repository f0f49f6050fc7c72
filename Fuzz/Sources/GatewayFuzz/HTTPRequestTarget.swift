import GatewayPlugin
import CoreMetrics
import Logging
import NIOCore
import NIOEmbedded

@testable import GatewayServer

/// Any bytes from a client, through the server's real connection handlers (request decoder,
/// router, auth, streams) on an `EmbeddedChannel`: an answer or a closed connection, never a
/// crash, and the connection always finishes cleanly.
///
/// The gateway has two endpoints (one with a token) holding a few events, so requests that
/// parse reach every route: streams with resume ids and `?event=` filters, `HEAD`, `OPTIONS`
/// preflights with CORS, health, readiness and metrics. HTTP/2 by prior knowledge (bytes that
/// start with its preface) and gzip'd streams (`Accept-Encoding`) are on, as by default.
func fuzzHTTPRequest(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let channel = EmbeddedChannel(loop: gateway.loop)
    do {
        try HTTPListener.addHandlers(to: channel.pipeline.syncOperations, server: gateway.server, tls: nil, isOverflow: count % 7 == 0)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4000)).wait()
    } catch {
        preconditionFailure("could not set up the connection: \(error)")
    }
    // A malformed request is answered by the handler; what reaches the channel's end is fine.
    _ = try? channel.writeInbound(ByteBuffer(bytes: UnsafeBufferPointer(start: start, count: count)))
    gateway.loop.advanceTime(by: .seconds(60))
    while (try? channel.readOutbound(as: ByteBuffer.self)) != nil {}
    do {
        _ = try channel.finish(acceptAlreadyClosed: true)
    } catch {
        preconditionFailure("the connection did not finish cleanly: \(error)")
    }
    return 0
}

/// One gateway for the whole run, on an embedded loop.
private let gateway = FuzzGateway()

private final class FuzzGateway: @unchecked Sendable {
    let loop = EmbeddedEventLoop()
    let server: ServerContext

    init() {
        let metrics = GatewayMetrics(factory: NOOPMetricsHandler.instance)
        let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
        var settings = ServerSettings()
        settings.corsOrigins = ["https://app.example"]
        let loop = self.loop
        func endpoint(_ path: String, tokens: [String]?) -> EndpointStream {
            let endpointMetrics = metrics.endpoint(path)
            let stamper = IDStamper(mode: .sequence, epoch: 7)
            let log = MemoryLog(replay: 5, stamper: stamper)
            let fanOut = LoopFanOut(
                loop: loop, log: log, endpoint: path, heartbeat: .seconds(15), stallTimeout: .seconds(30), pullBytes: 1 << 16,
                metrics: endpointMetrics, logger: logger)
            let endpoint = EndpointStream(
                path: path, pipeline: Pipeline(steps: []), stamper: stamper, log: log, executor: loop, tokens: tokens, fanOuts: [fanOut],
                metrics: endpointMetrics, logger: logger)
            endpoint.ingest((1...8).map { Event(event: $0.isMultiple(of: 2) ? "even" : "odd", data: "\($0)") })
            return endpoint
        }
        let endpoints = [endpoint("/a", tokens: nil), endpoint("/secret", tokens: ["tok"])]
        server = ServerContext(
            router: Routes(Router(endpoints: endpoints, statusStream: endpoint(Router.statusPath, tokens: nil), server: settings)),
            admission: Admission(limit: 1_000_000),
            connections: ConnectionBudget(openFileLimit: 1 << 20, reserved: 100, metrics: metrics, logger: logger), metrics: metrics,
            retryMilliseconds: 2000, renderMetrics: { "m 1\n" }, sourcesNotReady: { ["upstream"] }, requestTimeout: .seconds(10),
            compression: true, http2: HTTP2Connections(buffer: ClientBuffer(clientBuffer: 1 << 20)), logger: logger)
        loop.run()
    }
}
