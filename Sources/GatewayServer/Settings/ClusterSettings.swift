/// How this gateway takes part in a cluster (SPEC §5): the engine it shares with the other
/// instances, and how it holds leases and buffers what it could not publish.
public struct ClusterSettings: Sendable {
    /// The engine (NATS JetStream), already configured; connecting is its business.
    public var engine: any ClusterEngine
    /// Names the cluster's streams and leases (`cluster.name`).
    public var name: String
    /// How soon another instance takes over a dead holder's sources (`cluster.lease`).
    public var lease: Duration
    /// Bytes a lease holder keeps that the engine has not yet stored, across its endpoints
    /// (`cluster.outbox`); over it, the holder pauses its sources.
    public var outbox: Int
    /// Events an instance keeps in memory per clustered endpoint (per channel on a channel
    /// endpoint), at most `replay`: resumes within it are served at once, older ones are read
    /// from the engine (`cluster.cache`).
    public var cache: Int
    /// Copies the engine keeps of each stream (`cluster.replicas`).
    public var replicas: Int

    /// The default `cluster.name`.
    public static let defaultName = "gateway"
    /// The default `cluster.lease`.
    public static let defaultLease: Duration = .seconds(10)
    /// The default `cluster.outbox`.
    public static let defaultOutbox = 64 << 20
    /// The default `cluster.cache`.
    public static let defaultCache = 10_000

    public init(
        engine: any ClusterEngine, name: String = Self.defaultName, lease: Duration = Self.defaultLease,
        outbox: Int = Self.defaultOutbox, cache: Int = Self.defaultCache, replicas: Int = 1
    ) {
        self.replicas = replicas
        self.engine = engine
        self.name = name
        self.lease = lease
        self.outbox = outbox
        self.cache = cache
    }
}
