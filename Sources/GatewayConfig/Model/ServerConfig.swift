import GatewayPlugin

/// The `server:` section: where the gateway listens and how it treats clients.
public struct ServerConfig: Sendable {
    /// `listen`: host and port to bind. `[::]:8080` binds all IPv6 and IPv4 addresses.
    public var listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8080)
    /// `heartbeat`: a `: ping` comment is sent on a stream idle this long.
    public var heartbeat: Duration = .seconds(15)
    /// `retry`: the `retry:` hint sent to each client on connect.
    public var retry: Duration = .seconds(2)
    /// `max_clients`: over it, new streams get `503` with `Retry-After`.
    public var maxClients: Int = 10_000
    /// `client_buffer`: bytes the gateway holds for one client beyond the shared log, its
    /// socket's send buffer included: the memory a slow client costs, whatever the burst.
    public var clientBuffer: Int = 1 << 20
    /// `stall_timeout`: a client whose socket takes no byte this long is cut off.
    public var stallTimeout: Duration = .seconds(30)
    /// `request_timeout`: a connection that has not sent a whole request head this long gets
    /// `408` and is closed (slow or stalled request heads hold a descriptor each).
    public var requestTimeout: Duration = .seconds(10)
    /// `cors`: cross-origin handling; `nil` sends no CORS headers.
    public var cors: CORSConfig?
    /// `tls`: HTTPS when set.
    public var tls: TLSConfig?
    /// `dashboard`: the live HTML view at `/` (when no endpoint claims `/`).
    public var dashboard: Bool = true
    /// `metrics`: Prometheus text at `/metrics`.
    public var metrics: Bool = true
    /// `http2`: HTTP/2 beside HTTP/1.1 — negotiated by ALPN over TLS, by prior knowledge (h2c)
    /// on a plain port. Every HTTP/2 stream is one client.
    public var http2: Bool = true
    /// `compression`: gzip the streams of clients whose `Accept-Encoding` allows it.
    public var compression: Bool = true

    /// The defaults of SPEC §2.
    public init() {}
}

/// `cors:` — which origins may read the streams from a browser.
public struct CORSConfig: Sendable {
    /// Allowed origins; `*` allows any.
    public var origins: [String]

    /// Creates a CORS policy.
    public init(origins: [String]) { self.origins = origins }
}

/// `tls:` — certificate and key files (PEM) for HTTPS.
public struct TLSConfig: Sendable {
    /// Path of the certificate chain, PEM.
    public var cert: String
    /// Path of the private key, PEM.
    public var key: String

    /// Creates a TLS configuration.
    public init(cert: String, key: String) {
        self.cert = cert
        self.key = key
    }
}
