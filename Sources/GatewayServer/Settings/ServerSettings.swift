import GatewayPlugin

/// How the server listens and treats clients. The defaults are SPEC §2's.
public struct ServerSettings: Sendable {
    /// Host and port to bind; `[::]:8080` binds all IPv6 and IPv4 addresses, port 0 a free one.
    public var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    /// A `: ping` comment is sent on a stream idle this long.
    public var heartbeat: Duration = .seconds(15)
    /// The `retry:` hint sent to each client on connect, and the `Retry-After` of a `503`.
    public var retry: Duration = .seconds(2)
    /// Over it, new streams get `503` with `Retry-After`.
    public var maxClients = 10_000
    /// Bytes the gateway holds for one client beyond the shared log, its socket's send buffer
    /// included: the memory a slow client costs, whatever the burst.
    public var clientBuffer = 1 << 20
    /// A client whose socket takes no byte this long is cut off.
    public var stallTimeout: Duration = .seconds(30)
    /// A connection that has not sent a whole request this long is answered `408` and closed;
    /// one idle between keep-alive requests this long is closed.
    public var requestTimeout: Duration = .seconds(10)
    /// Origins that may read the streams from a browser (`*` for any); `nil` sends no CORS headers.
    public var corsOrigins: [String]?
    /// Certificate chain and private key (PEM files) for HTTPS; `nil` serves plain HTTP.
    public var tls: TLSFiles?
    /// Serve the live HTML view at `/` (when no endpoint claims `/`) and its status stream.
    public var dashboard = true
    /// Serve Prometheus text at `/metrics`.
    public var metrics = true
    /// Serve HTTP/2 beside HTTP/1.1: h2 by ALPN over TLS, h2c by prior knowledge on a plain port.
    public var http2 = true
    /// Gzip the streams of clients that accept it (SPEC §6).
    public var compression = true

    /// The defaults.
    public init() {}
}

/// The PEM files of an HTTPS listener.
public struct TLSFiles: Sendable {
    /// Path of the certificate chain.
    public var certificateChain: String
    /// Path of the private key.
    public var privateKey: String

    /// Names the files.
    public init(certificateChain: String, privateKey: String) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}
