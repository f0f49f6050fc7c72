/// What other sections of `gateway.yaml` offer a plugin as defaults for its own options.
///
/// A plugin sees only its own options, through ``OptionsReader``, and never the loader or the
/// rest of the file. A few settings are meant to be written once and used by several plugins —
/// the cluster's NATS connection, which a `nats` source uses unless it has its own `url:`. The
/// loader reads such a section first, then hands what it found to every plugin as
/// ``OptionsReader/shared``. Each value says whether the section is there, there but wrong
/// (its problems are already reported, so a plugin falling back on it adds none), or valid:
///
/// ```swift
/// switch options.shared.natsConnection {
/// case .present(let connection): return connection
/// case .invalid: return nil  // reported where it is
/// case .absent: options.report("source needs 'url' or a top-level 'cluster.nats'"); return nil
/// }
/// ```
///
/// (``OptionsReader/natsConnectionOrShared()`` does exactly this for NATS plugins.)
public struct SharedConfig: Sendable {
    /// `cluster.nats`: the connection the cluster's instances share.
    public var natsConnection: SharedValue<NATSConnectionConfig>
    /// Whether `server.listen` is a loopback address (the default, `127.0.0.1:8080`): only
    /// processes of this machine can reach the server, so a route may go without a token.
    public var listensOnLoopbackOnly: Bool

    /// Creates shared configuration; nothing is shared by default (as for a plugin tested alone).
    /// - Parameters:
    ///   - natsConnection: `cluster.nats`.
    ///   - listensOnLoopbackOnly: whether `server.listen` is a loopback address.
    public init(natsConnection: SharedValue<NATSConnectionConfig> = .absent, listensOnLoopbackOnly: Bool = true) {
        self.natsConnection = natsConnection
        self.listensOnLoopbackOnly = listensOnLoopbackOnly
    }
}

/// A setting from elsewhere in the file, as a plugin may use it.
public enum SharedValue<Value: Sendable>: Sendable {
    /// The file does not have it.
    case absent
    /// The file has it, but with problems that are already reported where they are.
    case invalid
    /// The file has it, valid.
    case present(Value)

    /// The value when present.
    public var value: Value? {
        if case .present(let value) = self { return value }
        return nil
    }
}
