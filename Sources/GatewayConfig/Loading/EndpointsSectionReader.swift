import GatewayPlugin

/// Reads `endpoints:` and each endpoint's pipeline.
struct EndpointsSectionReader {
    let registry: PluginRegistry
    let diagnostics: Diagnostics
    let declaredSources: [String]
    /// Whether the file has a `cluster:` section (valid or not: its own problems are reported there).
    let hasClusterSection: Bool

    /// Paths the server answers itself; an endpoint may not take them.
    static let reservedPaths = ["/healthz", "/readyz", "/metrics", "/_gateway/status", "/_gateway/ticket"]
    static let defaultReplay = 1000
    /// A channel endpoint keeps `replay` per channel: a smaller default.
    static let defaultChannelReplay = 100
    static let defaultMaxChannels = 100_000

    func read(_ node: ConfigNode?, root: ConfigNode) -> [EndpointConfig] {
        guard let node else {
            diagnostics.report("the configuration needs 'endpoints', a list of streams to serve", at: root.location)
            return []
        }
        guard let elements = node.sequence else {
            diagnostics.report("'endpoints' must be a list, found \(node.kindDescription)", at: node.location)
            return []
        }
        var endpoints: [EndpointConfig] = []
        var seenPaths: [String: ConfigLocation] = [:]
        for element in elements {
            guard let endpoint = readEndpoint(element) else { continue }
            // `/orders/{a}` and `/orders/{b}` serve the same requests.
            let servedPath = PathTemplate(endpoint.path)?.pattern ?? endpoint.path
            if let first = seenPaths[servedPath] {
                diagnostics.report("duplicate endpoint path '\(endpoint.path)' (first declared at \(first))", at: endpoint.location)
                continue
            }
            seenPaths[servedPath] = endpoint.location
            endpoints.append(endpoint)
        }
        checkClusteredSourcesFeedNothingElse(elements)
        return endpoints
    }

    private func readEndpoint(_ node: ConfigNode) -> EndpointConfig? {
        let options = OptionsReader(node: node, context: "endpoint", diagnostics: diagnostics)
        guard node.mapping != nil else { return nil }
        let path = options.string("path", required: true)
        var pathLocation = node.location
        if let path, let pathNode = node["path"] {
            pathLocation = pathNode.location
            if !path.hasPrefix("/") || path.contains("?") || path.contains("#") || path.contains(" ") {
                options.report("'path' must start with '/' and hold no query, found '\(path)'", at: pathNode.location)
            } else if Self.reservedPaths.contains(path) {
                options.report("'path' '\(path)' is served by the gateway itself; choose another", at: pathNode.location)
            }
        }
        let from = readFrom(options)
        let pipeline = readPipeline(options)
        let channel = readChannel(options, path: path)
        let replay = options.int(
            "replay", default: channel??.key == nil ? Self.defaultReplay : Self.defaultChannelReplay, in: 0...10_000_000)
        let ids = options.choice("ids", of: ["sequence", "source"], default: "sequence").flatMap(IDMode.init(rawValue:))
        let log = readLog(options, ids: ids, replay: replay)
        let auth = readAuth(options)
        let resetEvent = readResetEvent(options)
        let snapshot = readSnapshot(options)
        options.finish()
        guard options.isValid, let path, let from, let pipeline, let channel, let replay, let ids, let log, let resetEvent, let snapshot
        else {
            return nil
        }
        var endpoint = EndpointConfig(
            path: path, from: from, pipeline: pipeline, replay: replay, ids: ids, auth: auth ?? nil, location: pathLocation)
        endpoint.resetEvent = resetEvent
        endpoint.channel = channel
        endpoint.log = log.placement
        endpoint.replayAge = log.replayAge
        endpoint.snapshot = snapshot
        // A key file's content is not in the node: a reload after the file changed remakes the endpoint.
        endpoint.fingerprint = node.fingerprint(skipping: ["pipeline", "from"]) + (endpoint.auth?.jwt?.key.publicKeyPEM ?? "")
        endpoint.pipelineFingerprint = node["pipeline"]?.fingerprint ?? ""
        return endpoint
    }

    /// `channel`, `max_channels`, `replay_bytes`, and the path's `{name}` segment that goes with
    /// them: `nil` on error, `.some(nil)` for a broadcast endpoint.
    private func readChannel(_ options: OptionsReader, path: String?) -> ChannelConfig?? {
        let pathNode = options.node["path"]
        let hasBraces = path.map { $0.contains("{") || $0.contains("}") } ?? false
        let template = path.flatMap(PathTemplate.init)
        if hasBraces && template == nil {
            for key in ["channel", "max_channels", "replay_bytes"] { _ = options.node(key) }
            options.report(
                "'path' may hold one '{name}' segment, a whole segment like /orders/{customer}, found '\(path ?? "")'",
                at: pathNode?.location)
            return nil
        }
        guard let keyNode = options.node("channel") else {
            if let template {
                options.report(
                    "'path' has a '{\(template.parameter)}' segment: the endpoint needs 'channel', what names each event's channel (id, event or data.PATH)",
                    at: pathNode?.location)
                return nil
            }
            for key in ["max_channels", "replay_bytes"] {
                if let node = options.node(key) {
                    options.report("'\(key)' applies to a channel endpoint (one with 'channel' and a '{name}' segment in its path)", at: node.location)
                }
            }
            return .some(nil)
        }
        let maxChannels = options.int("max_channels", default: Self.defaultMaxChannels, in: 1...100_000_000)
        let replayBytes = options.size("replay_bytes", default: nil, minimum: 1024)
        guard let text = keyNode.scalar, text != "data", let key = EventField(text) else {
            let hint = EventField.looksLikeDataPath(keyNode.scalar ?? "") ? " ('\(keyNode.scalar ?? "")' is not a valid path)" : ""
            options.report(
                "'channel' must be id, event or data.PATH (like data.customer_id), found \(keyNode.describedForMessage)\(hint)",
                at: keyNode.location)
            return nil
        }
        if template == nil, path != nil {
            options.report(
                "a channel endpoint's 'path' needs one '{name}' segment, the channel a client reads (like /orders/{customer})",
                at: pathNode?.location)
            return nil
        }
        guard let maxChannels else { return nil }
        if options.node["replay_bytes"] != nil && replayBytes == nil { return nil }
        return .some(ChannelConfig(key: key, maxChannels: maxChannels, replayBytes: replayBytes))
    }

    /// `reset_event: NAME | false` (default `reset`): `nil` on error, `.some(nil)` for `false`.
    private func readResetEvent(_ options: OptionsReader) -> String?? {
        guard let node = options.node("reset_event") else { return .some("reset") }
        guard let text = node.scalar, !text.isEmpty, !text.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            options.report("'reset_event' must be an event type or false, found \(node.describedForMessage)", at: node.location)
            return nil
        }
        if case .scalar(_, isPlain: true) = node.value, text == "false" { return .some(nil) }
        return .some(text)
    }

    private func readFrom(_ options: OptionsReader) -> [String]? {
        guard let fromNode = options.node["from"] else {
            options.report("endpoint needs 'from', the sources it streams")
            _ = options.node("from")
            return nil
        }
        guard let names = options.stringList("from") else { return nil }
        if names.isEmpty {
            options.report("'from' must name at least one source", at: fromNode.location)
        }
        for (index, name) in names.enumerated() where !declaredSources.contains(name) {
            let location = fromNode.sequence?[index].location ?? fromNode.location
            let hint = Suggestion.hint(for: name, among: declaredSources)
            options.report("'from' names unknown source '\(name)'.\(hint)", at: location)
        }
        return names
    }

    private func readPipeline(_ options: OptionsReader) -> [PipelineStep]? {
        guard let node = options.node("pipeline") else { return [] }
        guard let elements = node.sequence else {
            options.report("'pipeline' must be a list of steps like '- filter: {…}', found \(node.kindDescription)", at: node.location)
            return nil
        }
        var steps: [PipelineStep] = []
        for (index, element) in elements.enumerated() {
            guard let entries = element.mapping, entries.count == 1, let step = entries.first else {
                options.report(
                    "each pipeline step is a map with one key, the transform's name (like '- rename: {a: b}')", at: element.location)
                continue
            }
            guard let plugin = registry.transforms[step.key] else {
                let hint = Suggestion.hint(for: step.key, among: registry.transforms.keys)
                let known = registry.transforms.keys.sorted().joined(separator: ", ")
                options.report("unknown transform '\(step.key)'.\(hint) Known transforms: \(known)", at: step.keyLocation)
                continue
            }
            let reader = OptionsReader(node: step.value, context: "pipeline[\(index)] '\(step.key)'", diagnostics: diagnostics)
            let factory = plugin.prepare(reader)
            reader.finish()
            if let factory {
                steps.append(PipelineStep(name: step.key, factory: factory, location: step.keyLocation))
            }
        }
        return steps
    }
}
