/// One HTTP request for ``CurlClient``: what to send and how long to wait.
public struct HTTPRequest: Sendable {
    /// The absolute `http://` or `https://` URL.
    public var url: String
    /// The method; `GET` unless set.
    public var method: String
    /// Header fields in order. A `Name: value` pair with an empty value is sent as `Name;`
    /// (libcurl's spelling), which sends the header with no value.
    public var headers: [(name: String, value: String)]
    /// The request body, sent with `Content-Length`, or `nil` for none.
    public var body: [UInt8]?
    /// The longest the whole exchange may take (polls). Never set it on a stream: a healthy
    /// stream lasts for ever.
    public var timeout: Duration?
    /// The longest the transfer may go without receiving a byte (headers or body), measured
    /// by the client's own timer. `nil` waits for ever.
    public var idleTimeout: Duration?
    /// The longest connecting (DNS, TCP and TLS) may take.
    public var connectTimeout: Duration
    /// Whether to offer gzip, deflate, br and zstd and decode what comes back.
    public var acceptsCompression: Bool
    /// Whether to follow 3xx redirects (at most 10), as browsers and EventSource do.
    public var followsRedirects: Bool

    /// Creates a request.
    /// - Parameters:
    ///   - url: the absolute URL.
    ///   - method: the method, `GET` by default.
    ///   - headers: header fields in order.
    ///   - body: a request body, or `nil`.
    ///   - timeout: a limit on the whole exchange, or `nil`.
    ///   - idleTimeout: a limit on silence, or `nil`.
    ///   - connectTimeout: a limit on connecting.
    ///   - acceptsCompression: whether to offer compressed encodings.
    ///   - followsRedirects: whether to follow redirects.
    public init(
        url: String,
        method: String = "GET",
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration? = nil,
        idleTimeout: Duration? = nil,
        connectTimeout: Duration = .seconds(30),
        acceptsCompression: Bool = false,
        followsRedirects: Bool = true
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
        self.acceptsCompression = acceptsCompression
        self.followsRedirects = followsRedirects
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a short positive duration never becomes zero
    /// (zero means "no limit" to libcurl).
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(clamping: max(millis, 1))
    }
}
