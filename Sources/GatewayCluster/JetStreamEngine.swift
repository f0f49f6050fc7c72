import Foundation
import GatewayPlugin
import GatewayServer
import Logging
import NATS
import NIOConcurrencyHelpers

/// The cluster engine on NATS JetStream (SPEC §5): one stream per clustered endpoint, leases in
/// a key-value bucket per cluster.
///
/// An engine serves one cluster (`cluster.name`): its leases live in that cluster's bucket
/// (``JetStreamNames/leaseBucket(cluster:)``), so two clusters sharing a NATS server never
/// share a lease. Streams are named from each spec's own cluster.
///
/// ```swift
/// let engine = try JetStreamEngine(options: NATSOptions(urls: ["nats://127.0.0.1:4222"]), cluster: "prod")
/// let stream = try await engine.openStream(ClusterStreamSpec(endpoint: "/quotes", cluster: "prod", replay: 1000, hasChannels: false))
/// let lease = engine.lease(named: "/quotes", ttl: .seconds(10))
/// ```
public final class JetStreamEngine: ClusterEngine {
    /// The connection (its `isConnected`, events, and for a `nats` source sharing it).
    public let connection: NATSConnection
    /// The cluster whose leases this engine takes (`cluster.name`).
    public let cluster: String
    /// What this instance writes into the leases it holds.
    public let instanceID: String
    /// Copies JetStream keeps of the lease bucket (`cluster.replicas`).
    public let leaseReplicas: Int
    let logger: Logger

    /// Connects to NATS (or goes on connecting in the background when no server answers).
    ///
    /// Blocks for the first connection attempt (a TCP connect per URL): call it off event loops.
    /// - Parameters:
    ///   - options: the servers, credentials and TLS of `cluster.nats`.
    ///   - cluster: the cluster's name (`cluster.name`), which scopes the leases.
    ///   - instanceID: names this instance in leases; unique per process (the default is random).
    ///   - leaseReplicas: copies JetStream keeps of the lease bucket (`cluster.replicas`).
    ///   - logger: where consumer trouble is logged.
    public convenience init(
        options: NATSOptions, cluster: String, instanceID: String = JetStreamEngine.randomInstanceID(), leaseReplicas: Int = 1,
        logger: Logger = Logger(label: "gateway.cluster")
    ) throws {
        let connection: NATSConnection
        do {
            connection = try NATSConnection(options: options)
        } catch {
            throw ClusterError.failed("cannot set up the NATS connection: \(error)")
        }
        self.init(connection: connection, cluster: cluster, instanceID: instanceID, leaseReplicas: leaseReplicas, logger: logger)
    }

    /// An engine for `cluster.nats` as `gateway.yaml` gives it.
    /// - Parameters:
    ///   - config: the servers, credentials and TLS files.
    ///   - cluster: the cluster's name (`cluster.name`), which scopes the leases.
    ///   - instanceID: names this instance in leases; unique per process (the default is random).
    ///   - leaseReplicas: copies JetStream keeps of the lease bucket (`cluster.replicas`).
    ///   - logger: where consumer trouble is logged.
    public convenience init(
        config: NATSConnectionConfig, cluster: String, instanceID: String = JetStreamEngine.randomInstanceID(), leaseReplicas: Int = 1,
        logger: Logger = Logger(label: "gateway.cluster")
    ) throws {
        try self.init(options: NATSOptions(config), cluster: cluster, instanceID: instanceID, leaseReplicas: leaseReplicas, logger: logger)
    }

    /// An engine over an open connection, which it closes on ``close()``.
    /// - Parameters:
    ///   - connection: the connection to NATS.
    ///   - cluster: the cluster's name (`cluster.name`), which scopes the leases.
    ///   - instanceID: names this instance in leases; unique per process.
    ///   - leaseReplicas: copies JetStream keeps of the lease bucket (`cluster.replicas`).
    ///   - logger: where consumer trouble is logged.
    public init(
        connection: NATSConnection, cluster: String, instanceID: String = JetStreamEngine.randomInstanceID(), leaseReplicas: Int = 1,
        logger: Logger = Logger(label: "gateway.cluster")
    ) {
        self.connection = connection
        self.cluster = cluster
        self.instanceID = instanceID
        self.leaseReplicas = leaseReplicas
        self.logger = logger
    }

    /// `host-pid-random`: readable in the bucket, unique per process.
    public static func randomInstanceID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    }

    public func openStream(_ spec: ClusterStreamSpec) async throws -> any ClusterStream {
        let config = Self.streamConfig(spec)
        do {
            let info = try await connection.ensureStream(config)
            return JetStreamClusterStream(spec: spec, info: info, engine: self)
        } catch {
            throw ClusterError(error)
        }
    }

    /// The stream an endpoint's spec asks for.
    static func streamConfig(_ spec: ClusterStreamSpec) -> JetStreamStreamConfig {
        let subject =
            spec.hasChannels
            ? JetStreamNames.channelWildcard(cluster: spec.cluster, endpoint: spec.endpoint)
            : JetStreamNames.subject(cluster: spec.cluster, endpoint: spec.endpoint)
        let replay = spec.replay > 0 ? Int64(spec.replay) : nil
        return JetStreamStreamConfig(
            name: JetStreamNames.stream(cluster: spec.cluster, endpoint: spec.endpoint), subjects: [subject], storage: .file,
            maxMessages: spec.hasChannels ? nil : replay, maxMessagesPerSubject: spec.hasChannels ? replay : nil,
            maxBytes: spec.maxBytes.map { Int64($0) }, maxAge: spec.maxAge, replicas: spec.replicas)
    }

    public func lease(named name: String, ttl: Duration) -> any ClusterLease {
        JetStreamLease(name: name, ttl: ttl, engine: self)
    }

    public var isConnected: Bool { connection.isConnected }

    public func onConnectionChange(_ handler: @escaping @Sendable (Bool) -> Void) {
        let logger = logger
        // Only changes: a close after a disconnection (or libnats' own disconnected-then-closed)
        // is one loss.
        let last = NIOLockedValueBox(connection.isConnected)
        let report: @Sendable (Bool) -> Void = { connected in
            let changed = last.withLockedValue { last in
                defer { last = connected }
                return last != connected
            }
            if changed { handler(connected) }
        }
        connection.onEvent { event in
            switch event {
            case .connected, .reconnected: report(true)
            case .disconnected, .closed: report(false)
            case .error(let text): logger.warning("NATS reported an error", metadata: ["nats.error": "\(text)"])
            }
        }
    }

    public func close() async {
        await connection.close()
    }
}
