import GatewayCluster
import GatewayConfig
import GatewayPlugin

/// The human-readable plan of a configuration, as `gateway check` prints it.
struct Plan {
    let text: String

    init(_ configuration: GatewayConfiguration) {
        let server = configuration.server
        var lines: [String] = []
        let scheme = server.tls == nil ? "http" : "https"
        lines.append("\(configuration.file): valid")
        lines.append("")
        lines.append("server  \(scheme)://\(server.listen)")
        lines.append(
            "  heartbeat \(Units.describe(server.heartbeat)), retry \(Units.describe(server.retry)), "
                + "max_clients \(server.maxClients), client_buffer \(Units.describe(bytes: server.clientBuffer))")
        var extras: [String] = []
        if server.http2 { extras.append(server.tls == nil ? "HTTP/1.1 and h2c" : "HTTP/1.1 and h2") }
        if server.compression { extras.append("gzip") }
        if let cors = server.cors { extras.append("cors \(cors.origins.joined(separator: " "))") }
        if server.dashboard { extras.append("dashboard /") }
        if server.metrics { extras.append("metrics /metrics") }
        extras.append("health /healthz /readyz")
        lines.append("  " + extras.joined(separator: ", "))
        lines.append("")
        if let cluster = configuration.cluster {
            lines.append(contentsOf: Self.describe(cluster, endpoints: configuration.endpoints))
            lines.append("")
        }
        lines.append("sources")
        let nameWidth = configuration.sources.map(\.name.count).max() ?? 0
        let typeWidth = configuration.sources.map(\.type.count).max() ?? 0
        for source in configuration.sources {
            lines.append("  \(source.name.padded(to: nameWidth))  \(source.type.padded(to: typeWidth))  \(source.source.summary)")
        }
        lines.append("")
        lines.append("endpoints")
        for endpoint in configuration.endpoints {
            lines.append("  \(endpoint.path)  ← \(endpoint.from.joined(separator: " + "))")
            for (index, step) in endpoint.pipeline.enumerated() {
                lines.append("    \(index + 1). \(step.factory.summary)")
            }
            if let channel = endpoint.channel {
                var limits = "a channel per \(channel.key), at most \(channel.maxChannels) channels"
                if let bytes = channel.replayBytes { limits += " and \(Units.describe(bytes: bytes))" }
                lines.append("    " + limits)
            }
            var policy = ["replay \(endpoint.replay)\(endpoint.channel == nil ? "" : " per channel")"]
            if let age = endpoint.replayAge { policy.append("replay_age \(Units.describe(age))") }
            policy.append("ids \(endpoint.ids.rawValue)")
            if let auth = endpoint.auth { policy.append(Self.describe(auth)) }
            policy.append("log \(Self.describeLog(of: endpoint, cluster: configuration.cluster))")
            lines.append("    " + policy.joined(separator: ", "))
        }
        text = lines.joined(separator: "\n") + "\n"
    }

    /// The `cluster:` section, with no secret: the connection's description leaves them out.
    private static func describe(_ cluster: ClusterConfig, endpoints: [EndpointConfig]) -> [String] {
        var lines = [
            "cluster  \(cluster.name) on \(cluster.connection)",
            "  lease \(Units.describe(cluster.lease)), outbox \(Units.describe(bytes: cluster.outbox)), cache \(cluster.cache) events, replicas \(cluster.replicas)",
        ]
        if !endpoints.contains(where: { $0.log == .cluster }) {
            lines.append("  no endpoint has 'log: cluster' (nats sources may use the connection)")
        }
        return lines
    }

    /// `auth 2 tokens`, `auth jwt with an RSA 2048-bit public key (RS256)`, or both: never a secret.
    private static func describe(_ auth: AuthConfig) -> String {
        var parts: [String] = []
        if let tokens = auth.tokens { parts.append("\(tokens.count) token\(tokens.count == 1 ? "" : "s")") }
        if let jwt = auth.jwt { parts.append("jwt with \(jwt.key.summary)") }
        return "auth " + parts.joined(separator: " + ")
    }

    /// `memory`, or `cluster (stream NAME)`: the stream every instance reads.
    private static func describeLog(of endpoint: EndpointConfig, cluster: ClusterConfig?) -> String {
        guard endpoint.log == .cluster, let cluster else { return endpoint.log.rawValue }
        return "cluster (stream \(JetStreamNames.stream(cluster: cluster.name, endpoint: endpoint.path)))"
    }
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
