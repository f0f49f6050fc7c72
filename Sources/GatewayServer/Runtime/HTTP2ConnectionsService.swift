import ServiceLifecycle

/// Keeps the gateway up, once it stops, until its HTTP/2 connections have sent their streams'
/// last bytes and closed: listed before the endpoints, it stops after them.
struct HTTP2ConnectionsService: Service {
    let connections: HTTP2Connections

    func run() async throws {
        try? await gracefulShutdown()
        await connections.closed()
    }
}
