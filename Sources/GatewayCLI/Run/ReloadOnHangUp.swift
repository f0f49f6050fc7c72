import GatewayConfig
import GatewayPlugin
import GatewayServer
import Logging
import ServiceLifecycle
import UnixSignals

/// `SIGHUP` re-reads the configuration file and applies it to the running gateway (SPEC §8).
///
/// An invalid file changes nothing: every problem is logged as `check` prints it, and the
/// reload is counted as `invalid`. A valid one is handed to ``GatewayServer/reload(_:)``,
/// which keeps what did not change. Reloads run one at a time, in the order the signals came.
struct ReloadOnHangUp: Service {
    let file: String
    let listen: ListenAddress?
    let plugins: PluginRegistry
    let server: GatewayServer
    /// The cluster engine the gateway started with; a reload keeps it (a new `cluster.nats`
    /// needs a restart).
    let engine: (any ClusterEngine)?
    let logger: Logger

    func run() async throws {
        let hangUps = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangUps {
                await reload()
            }
        }
    }

    private func reload() async {
        logger.info("reloading the configuration", metadata: ["file": "\(file)"])
        let configuration: GatewayConfiguration
        switch ConfigLoader(registry: plugins).load(file: file) {
        case .success(let loaded):
            configuration = loaded
        case .failure(let errors):
            refuse("the file has \(errors.problems.count) problem(s); the running configuration stays", problems: errors.problems.map(\.description))
            return
        }
        if configuration.cluster != nil, engine == nil {
            refuse("the file now has a cluster section: restart the gateway to join a cluster", problems: [])
            return
        }
        do {
            let settings = try GatewaySettings(configuration, listen: listen) { _ in
                guard let engine else { throw ClusterError.failed("no cluster engine") }
                return engine
            }
            await server.reload(settings)
        } catch {
            refuse("\(error)", problems: [])
        }
    }

    private func refuse(_ reason: String, problems: [String]) {
        logger.error("configuration reload refused: \(reason)", metadata: ["file": "\(file)"])
        for problem in problems { logger.error("\(problem)") }
        server.reloadRefused()
    }
}
