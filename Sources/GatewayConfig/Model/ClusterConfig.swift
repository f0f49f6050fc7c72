import GatewayPlugin

/// The `cluster:` section (SPEC §5): the NATS JetStream that gateways running the same file
/// share, so that a `log: cluster` endpoint is served by every instance and fed by one.
///
/// ```yaml
/// cluster:
///   nats: { url: nats://127.0.0.1:4222 }
///   name: prod
/// ```
public struct ClusterConfig: Sendable {
    /// `nats`: the connection (`url`, `token` or `user`/`password`, `tls`). A `nats` source
    /// without a `url:` of its own uses it too.
    public var connection: NATSConnectionConfig
    /// `name`: names the cluster's streams and leases, so clusters can share one NATS.
    /// Letters, digits, `-` and `_`.
    public var name: String = ClusterConfig.defaultName
    /// `lease`: how soon another instance takes over the sources of one that stopped or died
    /// (plus a few seconds).
    public var lease: Duration = ClusterConfig.defaultLease
    /// `outbox`: bytes a lease holder keeps that the engine has not stored yet (an outage);
    /// over it, it pauses its sources.
    public var outbox: Int = ClusterConfig.defaultOutbox
    /// `cache`: events each instance keeps in memory per clustered endpoint (per channel on a
    /// channel endpoint), at most `replay`: resumes within it are served without asking NATS.
    public var cache: Int = ClusterConfig.defaultCache
    /// `replicas`: copies JetStream keeps of each stream (1, or 3 on a NATS cluster of 3 or more).
    public var replicas: Int = 1
    /// Where the section is declared (its key).
    public var location: ConfigLocation

    /// The default `name`.
    public static let defaultName = "gateway"
    /// The default `lease`.
    public static let defaultLease: Duration = .seconds(10)
    /// The default `outbox`.
    public static let defaultOutbox = 64 << 20
    /// The default `cache`.
    public static let defaultCache = 10_000

    /// Creates a cluster section with the defaults of SPEC §5.
    /// - Parameters:
    ///   - connection: `nats`.
    ///   - location: where the section is declared.
    public init(connection: NATSConnectionConfig, location: ConfigLocation) {
        self.connection = connection
        self.location = location
    }
}
