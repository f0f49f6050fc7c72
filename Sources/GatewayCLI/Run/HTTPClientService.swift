import CurlHTTP
import ServiceLifecycle

/// The libcurl client the `sse` and `poll` sources share, as a service of the gateway's
/// group: it outlives the sources (it is stopped after them) and its transfer thread is
/// joined when the group stops, so nothing of it runs past `gateway run`.
struct HTTPClientService: Service {
    let client: CurlClient

    func run() async {
        try? await gracefulShutdown()
        // Every transfer has ended by now (the sources stopped first); the join is immediate.
        client.shutdown()
    }
}
