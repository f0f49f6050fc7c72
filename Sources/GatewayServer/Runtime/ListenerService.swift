import Logging
import NIOCore
import ServiceLifecycle

/// The listening socket as a service: bound when the group starts (after it traps SIGINT and
/// SIGTERM, so a signal right after "listening" still stops the gateway cleanly), closed when
/// the group stops, once the sources have stopped: from then on no new client arrives while
/// the endpoints deliver what they hold.
struct ListenerService: Service {
    let bind: @Sendable () async throws -> any Channel
    let stopRequest: StopRequest
    /// Called once the socket is closed: HTTP/2 connections are told to go away.
    var stopped: @Sendable () -> Void = {}
    let logger: Logger

    func run() async throws {
        let listener = try await bind()
        // Cancellation (the group failing) ends the wait too: the socket closes either way.
        try? await gracefulShutdown()
        logger.info("stopping", metadata: ["reason": "\(stopRequest.wasAsked ? "a source asked to stop" : "signal")"])
        try? await listener.close()
        stopped()
    }
}
