/// A source whose events are pushed to the gateway — POSTed to a path of the gateway's own
/// HTTP server — rather than read from an upstream.
///
/// The plugin declares its ``route``; the gateway serves it: it checks the method, the token
/// and the body's size, reads the body, and hands the whole request to ``PushRoute/handle``,
/// whose answer it writes back. So a push source never sees a socket or the server, and the
/// server never knows what a body means. The source's ``Source/run(_:)`` is still called, and
/// still owns the ``SourceOutput``: requests that arrive while it is not running (before it
/// starts, after it stops, on a cluster instance that does not run the endpoint's sources)
/// are the handler's to refuse.
public protocol PushSource: Source {
    /// Where and how the gateway accepts this source's requests.
    var route: PushRoute { get }
}

/// A path the gateway serves on behalf of a ``PushSource``.
public struct PushRoute: Sendable {
    /// The URL path (`/publish/orders`), matched exactly; never an endpoint's path.
    public var path: String
    /// The largest body accepted, in bytes; a larger one is answered `413` unread.
    public var maxBodyBytes: Int
    /// The bearer tokens accepted (header or `?access_token=`), or `nil` for none required:
    /// `401` without a token, `403` with another.
    public var tokens: [String]?
    /// Answers a `POST` whose body has been read in full. Called on a server thread: it must
    /// not block (it may hand events to its source's output, which never blocks).
    public var handle: @Sendable (PushRequest) -> PushResponse

    /// Declares a route.
    public init(path: String, maxBodyBytes: Int, tokens: [String]?, handle: @escaping @Sendable (PushRequest) -> PushResponse) {
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.tokens = tokens
        self.handle = handle
    }
}

/// A request to a ``PushRoute``, read in full.
public struct PushRequest: Sendable {
    /// The `Content-Type` header as sent, or `nil`.
    public var contentType: String?
    /// The body (at most ``PushRoute/maxBodyBytes``).
    public var body: [UInt8]
    /// The peer, for logs: `address:port`.
    public var remoteAddress: String

    /// Creates a request.
    public init(contentType: String?, body: [UInt8], remoteAddress: String) {
        self.contentType = contentType
        self.body = body
        self.remoteAddress = remoteAddress
    }
}

/// The answer to a ``PushRequest``.
public struct PushResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Extra headers (`Retry-After`).
    public var headers: [String: String]
    /// A JSON document.
    public var body: String

    /// Creates a response with a JSON body.
    public init(status: Int, headers: [String: String] = [:], json body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
