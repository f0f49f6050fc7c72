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
        if let cors = server.cors { extras.append("cors \(cors.origins.joined(separator: " "))") }
        if server.dashboard { extras.append("dashboard /") }
        if server.metrics { extras.append("metrics /metrics") }
        extras.append("health /healthz /readyz")
        lines.append("  " + extras.joined(separator: ", "))
        lines.append("")
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
            var policy = ["replay \(endpoint.replay)\(endpoint.channel == nil ? "" : " per channel")", "ids \(endpoint.ids.rawValue)"]
            if let auth = endpoint.auth { policy.append("auth \(auth.tokens.count) token\(auth.tokens.count == 1 ? "" : "s")") }
            lines.append("    " + policy.joined(separator: ", "))
        }
        text = lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
