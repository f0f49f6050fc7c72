import NIOConcurrencyHelpers
import ServiceLifecycle

/// Keeps the cluster's engine for the life of the gateway, and closes it (flushing what it has
/// buffered) once the endpoints that use it have stopped.
struct ClusterEngineService: Service {
    let engine: any ClusterEngine
    /// Set before the engine is closed, so the connection's end is not logged as an outage.
    let closing: NIOLockedValueBox<Bool>

    func run() async {
        try? await gracefulShutdown()
        closing.withLockedValue { $0 = true }
        await engine.close()
    }
}
