import GatewayPlugin

/// Reads `cluster:` (SPEC §5).
struct ClusterSectionReader {
    let diagnostics: Diagnostics

    /// The shortest `lease`: shorter, an instance would spend its time renewing, and a slow
    /// moment of NATS would hand the sources around.
    static let minimumLease: Duration = .seconds(1)
    /// The smallest `outbox`: room for at least one event of the largest default size.
    static let minimumOutbox = 1 << 20

    /// The section, or `nil` after reporting what is wrong with it.
    func read(_ entry: ConfigEntry) -> ClusterConfig? {
        let example = "like 'nats: { url: nats://127.0.0.1:4222 }'"
        guard !entry.value.isNull else {
            diagnostics.report("'cluster' needs 'nats', the NATS JetStream the gateways share (\(example))", at: entry.keyLocation)
            return nil
        }
        let options = OptionsReader(node: entry.value, context: "'cluster'", diagnostics: diagnostics)
        guard entry.value.mapping != nil else { return nil }
        let connection = readConnection(options, example: example)
        let name = readName(options)
        let lease = options.duration("lease", default: ClusterConfig.defaultLease, minimum: Self.minimumLease)
        let outbox = options.size("outbox", default: ClusterConfig.defaultOutbox, minimum: Self.minimumOutbox)
        let cache = options.int("cache", default: ClusterConfig.defaultCache, in: 1...10_000_000)
        // JetStream's own bound: a stream has at most 5 replicas.
        let replicas = options.int("replicas", default: 1, in: 1...5)
        options.finish()
        guard options.isValid, let connection, let name, let lease, let outbox, let cache, let replicas else { return nil }
        var cluster = ClusterConfig(connection: connection, location: entry.keyLocation)
        cluster.name = name
        cluster.lease = lease
        cluster.outbox = outbox
        cluster.cache = cache
        cluster.replicas = replicas
        return cluster
    }

    private func readConnection(_ options: OptionsReader, example: String) -> NATSConnectionConfig? {
        guard let node = options.node("nats") else {
            options.report("'cluster' needs 'nats', the NATS JetStream the gateways share (\(example))", at: options.node["nats"]?.location)
            return nil
        }
        if let url = node.scalar {
            // The natural slip: a URL where the connection's map goes.
            options.report("'nats' is a map of connection options: write 'nats: { url: \(url) }'", at: node.location)
            return nil
        }
        guard let nats = options.nested("nats") else { return nil }
        let connection = nats.natsConnection()
        nats.finish()
        return connection
    }

    /// Letters, digits, `-` and `_`: the name goes into NATS stream and key names, which take no
    /// `.`, `*`, `>`, space or path separator.
    private func readName(_ options: OptionsReader) -> String? {
        guard let name = options.string("name", default: ClusterConfig.defaultName) else { return nil }
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(Self.isNameCharacter) else {
            options.report(
                "'name' may hold only letters, digits, '-' and '_' (it names NATS streams and leases), found '\(name)'",
                at: options.node["name"]?.location)
            return nil
        }
        return name
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
    }
}
