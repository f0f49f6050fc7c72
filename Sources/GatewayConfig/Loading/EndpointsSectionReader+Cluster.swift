import GatewayPlugin

/// An endpoint's `log` and `replay_age`, and what `log: cluster` rules out (SPEC §5).
extension EndpointsSectionReader {
    /// The shortest `replay_age`: JetStream's own minimum for a stream's age limit is one second.
    static let minimumReplayAge: Duration = .seconds(1)

    /// `log` and `replay_age`; `nil` after reporting a problem. `ids` and `replay` are the
    /// endpoint's, as read (`nil` when they were wrong, already reported).
    func readLog(_ options: OptionsReader, ids: IDMode?, replay: Int?) -> (placement: LogPlacement, replayAge: Duration?)? {
        let placement = options.choice("log", of: ["memory", "cluster"], default: "memory").flatMap(LogPlacement.init(rawValue:))
        let ageNode = options.node("replay_age")
        let replayAge = options.duration("replay_age", minimum: Self.minimumReplayAge)
        guard let placement, ageNode == nil || replayAge != nil else { return nil }
        var valid = true
        switch placement {
        case .memory:
            if let ageNode {
                options.report(
                    "'replay_age' applies to a 'log: cluster' endpoint; a memory log keeps the last 'replay' events, whatever their age",
                    at: ageNode.location)
                valid = false
            }
        case .cluster:
            if !hasClusterSection {
                options.report(
                    "'log: cluster' needs a top-level 'cluster' section, the NATS JetStream that keeps the endpoint's stream "
                        + "(like 'cluster: { nats: { url: nats://127.0.0.1:4222 } }'); the file has none",
                    at: options.node["log"]?.location)
                valid = false
            }
            if ids == .source, let idsNode = options.node["ids"] {
                options.report(
                    "'ids: source' is not allowed with 'log: cluster': a clustered endpoint's ids are its stream's sequence "
                        + "(EPOCH-SEQ), the same on every instance; remove 'ids' (the source's id travels in the Gateway-Id header)",
                    at: idsNode.location)
                valid = false
            }
            if replay == 0, let replayNode = options.node["replay"] {
                options.report(
                    "'replay' must be at least 1 with 'log: cluster': the endpoint's stream keeps at least one event",
                    at: replayNode.location)
                valid = false
            }
        }
        return valid ? (placement, replayAge) : nil
    }

    /// Reports a source that feeds a `log: cluster` endpoint and any other endpoint too, at its
    /// name in the later endpoint's `from`.
    ///
    /// A clustered endpoint's sources run only on the instance holding the endpoint's lease (the
    /// lease is per endpoint), so another endpoint reading the same source would get its events
    /// on that one instance only. Read from the raw nodes, so that the mistake is reported even
    /// when the endpoints have other problems.
    func checkClusteredSourcesFeedNothingElse(_ elements: [ConfigNode]) {
        var readers: [String: [(path: String, clustered: Bool)]] = [:]
        for element in elements {
            guard let path = element["path"]?.scalar, let fromNode = element["from"] else { continue }
            let clustered = element["log"]?.scalar == LogPlacement.cluster.rawValue
            let names: [(name: String, location: ConfigLocation)] =
                fromNode.scalar.map { [($0, fromNode.location)] }
                ?? (fromNode.sequence ?? []).compactMap { node in node.scalar.map { ($0, node.location) } }
            var seenHere: Set<String> = []
            for (name, location) in names where declaredSources.contains(name) && seenHere.insert(name).inserted {
                let earlier = readers[name, default: []]
                readers[name, default: []].append((path, clustered))
                guard let other = clustered ? earlier.first : earlier.first(where: \.clustered) else { continue }
                let clusteredPath = clustered ? path : other.path
                diagnostics.report(
                    "source '\(name)' feeds both '\(other.path)' and '\(path)', and '\(clusteredPath)' has 'log: cluster': "
                        + "a clustered endpoint's sources run only on the instance holding its lease, so they cannot feed "
                        + "another endpoint; give one of them a source of its own",
                    at: location)
            }
        }
    }
}
