import GatewayPlugin
import Logging
import NIOCore

/// What a reload changed (SPEC §8), for its log line and for tests.
public struct ReloadSummary: Sendable, Equatable {
    /// Endpoints started, by path.
    public var endpointsAdded: [String] = []
    /// Endpoints whose streams were ended, by path.
    public var endpointsRemoved: [String] = []
    /// Endpoints remade because settings other than their pipeline or sources changed (their
    /// clients reconnect to the new one), by path.
    public var endpointsRemade: [String] = []
    /// Endpoints whose pipeline was swapped, keeping clients, ids and log, by path.
    public var pipelinesSwapped: [String] = []
    /// Sources started (new, or restarted with new options), by name.
    public var sourcesStarted: [String] = []
    /// Sources stopped (removed, or restarted with new options), by name.
    public var sourcesStopped: [String] = []
    /// What the reload could not apply to the running gateway: a restart applies it.
    public var needsRestart: [String] = []

    public init() {}

    /// Whether nothing changed.
    public var isEmpty: Bool { self == ReloadSummary() }
}

extension GatewayServer {
    /// Applies `new` settings to the running gateway (SPEC §8):
    ///
    /// - an endpoint whose settings are unchanged keeps its clients, ids and log; if only its
    ///   pipeline changed, the pipeline is swapped between two events; if only its sources
    ///   changed, it reads the new ones from their next event;
    /// - an endpoint whose other settings changed is remade (its streams end and its clients
    ///   reconnect to the new one, which names its ids with a new epoch, so their ids are
    ///   recognised as an earlier run's);
    /// - removed endpoints end their streams (the path then answers 404), new ones start;
    /// - sources whose options changed are restarted, removed ones stopped, new ones started;
    /// - `server` and `cluster` changes, and changes that would add, remove or remake a
    ///   `log: cluster` endpoint or its sources, are left for a restart and listed in
    ///   ``ReloadSummary/needsRestart``; clustered endpoints keep their streams and leases.
    ///
    /// Call one reload at a time. Counted in `gateway_config_reloads_total{result="ok"}`.
    @discardableResult
    public func reload(_ new: GatewaySettings) async -> ReloadSummary {
        var summary = ReloadSummary()
        let (old, epoch) = (live.withLockedValue { $0 }, Self.epochMilliseconds())
        if new.restartFingerprint != old.restartFingerprint {
            summary.needsRestart.append("server or cluster settings")
        }
        let clusteredPaths = Set(old.endpoints.filter { $0.settings.log == .cluster }.map(\.settings.path))
        let newByPath = Dictionary(new.endpoints.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })

        // Endpoints: keep, swap a pipeline, remake, remove or add.
        var endpoints: [(settings: EndpointSettings, stream: EndpointStream)] = []
        var retired: [EndpointStream] = []
        for running in old.endpoints {
            let path = running.settings.path
            guard let wanted = newByPath[path] else {
                if clusteredPaths.contains(path) {
                    summary.needsRestart.append("removing the clustered endpoint \(path)")
                    endpoints.append(running)
                } else {
                    summary.endpointsRemoved.append(path)
                    retired.append(running.stream)
                }
                continue
            }
            if wanted.fingerprint != running.settings.fingerprint {
                if clusteredPaths.contains(path) || wanted.log == .cluster {
                    summary.needsRestart.append("the settings of the clustered endpoint \(path)")
                    endpoints.append(running)
                } else {
                    summary.endpointsRemade.append(path)
                    retired.append(running.stream)
                    endpoints.append((wanted, factory.make(wanted, epoch: epoch)))
                }
                continue
            }
            if wanted.pipelineFingerprint != running.settings.pipelineFingerprint {
                summary.pipelinesSwapped.append(path)
                try? await running.stream.replacePipeline(with: wanted.pipeline).get()
            }
            endpoints.append((wanted, running.stream))
        }
        let runningPaths = Set(old.endpoints.map(\.settings.path))
        for wanted in new.endpoints where !runningPaths.contains(wanted.path) {
            if wanted.log == .cluster {
                summary.needsRestart.append("adding the clustered endpoint \(wanted.path)")
                continue
            }
            summary.endpointsAdded.append(wanted.path)
            endpoints.append((wanted, factory.make(wanted, epoch: epoch)))
        }
        let started = endpoints.filter { entry in !old.endpoints.contains { $0.stream === entry.stream } }
        for entry in started { try? await entry.stream.startTransforms().get() }

        // Sources: keep, restart, stop or start; then every one feeds the endpoints that read it.
        let gated = Set(old.sources.filter { $0.gate != nil }.map(\.config.name))
        let wantedSources = Dictionary(new.sources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var sources: [RunningSource] = []
        var stopping: [RunningSource] = []
        var starting: [RunningSource] = []
        func readers(of name: String) -> [EndpointStream] {
            endpoints.filter { $0.settings.sources.contains(name) }.map(\.stream)
        }
        func make(_ source: SourceSettings) -> RunningSource {
            RunningSource(
                config: source, endpoints: readers(of: source.name), metrics: metrics.source(source.name), stopRequest: stopRequest,
                logger: logger)
        }
        for running in old.sources {
            let name = running.config.name
            let wanted = wantedSources[name]
            if gated.contains(name), wanted?.fingerprint != running.config.fingerprint {
                summary.needsRestart.append(
                    wanted == nil ? "removing the source \(name) of a clustered endpoint" : "the options of the source \(name) of a clustered endpoint")
                sources.append(running)
                continue
            }
            guard let wanted else {
                summary.sourcesStopped.append(name)
                stopping.append(running)
                continue
            }
            if wanted.fingerprint != running.config.fingerprint {
                summary.sourcesStopped.append(name)
                summary.sourcesStarted.append(name)
                stopping.append(running)
                let restarted = make(wanted)
                starting.append(restarted)
                sources.append(restarted)
            } else {
                sources.append(running)
            }
        }
        let oldNames = Set(old.sources.map(\.config.name))
        for wanted in new.sources where !oldNames.contains(wanted.name) {
            if readers(of: wanted.name).contains(where: { entry in endpoints.contains { $0.stream === entry && $0.settings.log == .cluster } }) {
                summary.needsRestart.append("adding the source \(wanted.name) of a clustered endpoint")
                continue
            }
            summary.sourcesStarted.append(wanted.name)
            let source = make(wanted)
            starting.append(source)
            sources.append(source)
        }
        for source in sources where source.gate == nil { source.setEndpoints(readers(of: source.config.name)) }

        // In force: the new routes first (new paths answer, removed ones 404), then sources stop
        // and start, then the removed endpoints end their streams.
        routes.replace(
            with: Self.router(
                endpoints: endpoints.map(\.stream), sources: sources, statusStream: statusStream, tickets: tickets, server: settings.server))
        live.withLockedValue { live in
            live.endpoints = endpoints
            live.sources = sources
        }
        for source in stopping { await supervisor.stop(source) }
        for source in starting { supervisor.start(source) }
        for endpoint in retired { try? await endpoint.afterPublishing().get() }
        await EndpointsService.closeStreams(of: retired, reason: .removed, grace: Self.shutdownGrace)
        for endpoint in retired { try? await endpoint.stopTransforms().get() }

        metrics.configReload(result: "ok")
        var metadata: Logger.Metadata = [:]
        for (key, list) in [
            ("endpoints_added", summary.endpointsAdded), ("endpoints_removed", summary.endpointsRemoved),
            ("endpoints_remade", summary.endpointsRemade), ("pipelines_swapped", summary.pipelinesSwapped),
            ("sources_started", summary.sourcesStarted), ("sources_stopped", summary.sourcesStopped),
        ] where !list.isEmpty {
            metadata[key] = "\(list.joined(separator: ","))"
        }
        logger.info(summary.isEmpty ? "configuration reloaded: nothing changed" : "configuration reloaded", metadata: metadata)
        for change in summary.needsRestart {
            logger.warning("configuration reloaded without a change that needs a restart", metadata: ["change": "\(change)"])
        }
        return summary
    }

    /// Counts a reload whose file was invalid (`gateway_config_reloads_total{result="invalid"}`);
    /// the caller logs the problems. The running configuration stays.
    public func reloadRefused() {
        metrics.configReload(result: "invalid")
    }
}
