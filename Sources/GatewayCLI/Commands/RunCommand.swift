import ArgumentParser
import CurlHTTP
import GatewayCluster
import GatewayConfig
import GatewayPlugin
import GatewayServer
import Logging
import NIOPosix
import ServiceLifecycle

/// `gateway run [FILE]`: serves every endpoint of a configuration until SIGINT or SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start every source, pipeline and endpoint of a configuration and serve them.",
        discussion: """
            Logs go to stderr, as text or (--log-format json) one JSON object per line; token and ticket
            values are written as [redacted]. SIGINT or SIGTERM stops accepting, closes every stream and exits 0. SIGHUP reloads the
            file: an invalid one changes nothing (its problems are logged); a valid one keeps unchanged
            endpoints and their clients, swaps changed pipelines, starts and stops what was added or removed.
            Exit 1 when the configuration is invalid, 3 when the gateway cannot start (port in use, …).
            """
    )

    @Argument(help: "The configuration file.")
    var file: String = "gateway.yaml"

    @Option(name: .long, help: ArgumentHelp("Listen on HOST:PORT instead of server.listen.", valueName: "host:port"))
    var listen: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: "Log lines as text (default) or json: one JSON object per line.")
    var logFormat: LogFormat = .text

    func validate() throws {
        if let listen, ListenAddress.parse(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT (like 127.0.0.1:8080 or [::]:8080), found '\(listen)'")
        }
    }

    func run() async throws {
        // The command is the executable's entry point: the one place logging is bootstrapped.
        logFormat.bootstrap(level: logLevel)
        let logger = Logger(label: "gateway")

        let loader = ConfigLoader(registry: Gateway.plugins)
        let configuration: GatewayConfiguration
        switch loader.load(file: file) {
        case .success(let loaded):
            configuration = loaded
        case .failure(let errors):
            for problem in errors.problems { StandardError.print("\(problem)") }
            throw ExitCode(ExitStatus.invalidInput.rawValue)
        }

        // Each client is a descriptor: take the whole hard limit, not the soft 1024 most
        // systems start a process with. The server sizes its connection budget from it.
        OpenFileLimit.raiseSoftLimitToHard()

        // One event loop per CPU this process may run on. NIO's singleton counts the machine's
        // cores, so a gateway pinned to one CPU (taskset, cpusets) would run loops that only take
        // turns on it, each sweep over its clients waiting for the other's timeslice.
        let group = Self.eventLoops
        do {
            let clusterName = configuration.cluster?.name ?? ClusterSettings.defaultName
            let replicas = configuration.cluster?.replicas ?? 1
            let settings = try GatewaySettings(configuration, listen: listen.flatMap(ListenAddress.parse)) { connection in
                var clusterLogger = logger
                clusterLogger[metadataKey: "cluster"] = "\(clusterName)"
                return try JetStreamEngine(config: connection, cluster: clusterName, leaseReplicas: replicas, logger: clusterLogger)
            }
            let server = try GatewayServer(settings: settings, group: group, logger: logger)
            let reloads = ReloadOnHangUp(
                file: file, listen: listen.flatMap(ListenAddress.parse), plugins: Gateway.plugins, server: server,
                engine: settings.cluster?.engine, logger: logger)
            let services = server.serviceGroup(
                dependencies: [HTTPClientService(client: .shared), reloads], gracefulShutdownSignals: [.sigterm, .sigint])
            try await services.run()
        } catch let error as GatewayServerError {
            StandardError.print("gateway: \(error)")
            throw ExitCode(ExitStatus.runtimeFailure.rawValue)
        } catch {
            StandardError.print("gateway: \(error)")
            throw ExitCode(ExitStatus.runtimeFailure.rawValue)
        }
    }
}

extension RunCommand {
    /// The server's event loops, one per usable CPU, for the life of the process (like NIO's singleton).
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: CPUAffinity.usableCPUCount())
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
