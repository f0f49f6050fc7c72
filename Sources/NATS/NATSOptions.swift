import CNATS

/// How to reach a NATS server (or a cluster of them) and how to behave while it is away.
///
/// The connection reconnects forever, waiting `reconnectWait` after a failed round through the
/// servers, doubling up to `maxReconnectWait` (plus jitter), and it starts even while no server
/// is up (it connects in the background).
public struct NATSOptions: Sendable, Equatable {
    /// Server URLs (`nats://host:4222`, `tls://host:4222`); tried in this order.
    public var urls: [String]
    /// A token (`authorization { token }` on the server).
    public var token: String?
    /// A user name and password.
    public var user: String?
    public var password: String?
    /// TLS, required when set (a `tls://` URL requires it too); `nil` for plain TCP.
    public var tls: TLS?
    /// The connection's name, shown by the server (`connz`).
    public var name: String?
    /// The first wait after a failed round of reconnects; doubles each round.
    public var reconnectWait: Duration
    /// The longest wait between rounds of reconnects.
    public var maxReconnectWait: Duration
    /// How long to wait for a TCP connection (and a TLS handshake) to one server.
    public var connectTimeout: Duration
    /// How long to wait for the answer of a JetStream request (stream info, KV get, a publish's ack).
    public var requestTimeout: Duration
    /// How often to ping the server; two unanswered pings mean the connection is dead.
    public var pingInterval: Duration
    /// Bytes of publishes kept while disconnected, sent on reconnect; past it a publish fails.
    public var reconnectBufferBytes: Int
    /// Threads that run the calls waiting for the server (stream and KV requests, reads, making
    /// consumers); more calls wait their turn.
    public var blockingThreads: Int

    /// TLS settings.
    public struct TLS: Sendable, Equatable {
        /// The CA certificates (PEM file) the server's certificate must chain to; `nil` for the
        /// system's roots.
        public var caFile: String?
        /// For servers that verify clients: this client's certificate chain (PEM file) and its key.
        public var certificateFile: String?
        public var keyFile: String?

        public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    /// - Parameters:
    ///   - urls: server URLs, tried in order; credentials may be in them (`nats://user:pass@host`).
    ///   - token: an authorization token, or `nil`.
    ///   - user: a user name, or `nil`.
    ///   - password: the user's password, or `nil`.
    ///   - tls: TLS settings, or `nil` for plain TCP (unless a URL is `tls://`).
    public init(
        urls: [String], token: String? = nil, user: String? = nil, password: String? = nil, tls: TLS? = nil, name: String? = nil,
        reconnectWait: Duration = .milliseconds(100), maxReconnectWait: Duration = .seconds(2),
        connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(5), pingInterval: Duration = .seconds(10),
        reconnectBufferBytes: Int = 8 << 20, blockingThreads: Int = 8
    ) {
        self.urls = urls
        self.token = token
        self.user = user
        self.password = password
        self.tls = tls
        self.name = name
        self.reconnectWait = reconnectWait
        self.maxReconnectWait = maxReconnectWait
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.pingInterval = pingInterval
        self.reconnectBufferBytes = reconnectBufferBytes
        self.blockingThreads = blockingThreads
    }

    /// The wait before reconnect round `attempt` (from 1): doubling from `reconnectWait`, at most
    /// `maxReconnectWait`, plus up to 10 % jitter so that many clients do not come back at once.
    func reconnectDelay(attempt: Int) -> Duration {
        let first = max(reconnectWait.milliseconds, 1)
        let doubled = first << min(max(attempt - 1, 0), 20)
        let wait = min(doubled, max(maxReconnectWait.milliseconds, first))
        return .milliseconds(wait + Int64.random(in: 0...max(wait / 10, 1)))
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole nanoseconds (rounded down).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
