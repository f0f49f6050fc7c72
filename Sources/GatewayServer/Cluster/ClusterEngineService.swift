import ServiceLifecycle

/// Keeps the cluster's engine for the life of the gateway, and closes it (flushing what it has
/// buffered) once the endpoints that use it have stopped.
struct ClusterEngineService: Service {
    let engine: any ClusterEngine

    func run() async {
        try? await gracefulShutdown()
        await engine.close()
    }
}
