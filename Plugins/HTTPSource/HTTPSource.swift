import GatewayPlugin
import Logging
import Synchronization

/// `type: http` — events POSTed to the gateway by a backend (SPEC §7), as Mercure's and
/// nchan's publish APIs take them.
///
/// The gateway's own server serves ``path`` (see ``PushSource``); each request's body is read
/// by ``PublishBody`` and, when every item in it is well-formed, handed to the source's output
/// as one batch — in order, after the batches of requests answered before it — and answered
/// `202 {"accepted": N}`. Publishing never waits for clients: the output never blocks. A
/// request that arrives while the source is not running (on a cluster instance that does not
/// run the endpoint's sources, or while the gateway starts or stops) is answered `503` with
/// `Retry-After`.
public final class HTTPSource: PushSource {
    /// The path served.
    public let path: String
    /// The largest body accepted, in bytes.
    public let maxBody: Int
    /// The bearer tokens accepted, or `nil` for none required (loopback-only servers).
    public let tokens: [String]?

    private struct Running {
        var output: SourceOutput
        var maxEventSize: Int
        var logger: Logger
    }
    /// The output while ``run(_:)`` runs; `nil` otherwise.
    private let running = Mutex<Running?>(nil)

    /// The plugin entry for the registry.
    public static let plugin = SourcePlugin(
        type: "http", summary: "events POSTed to a path of the gateway (JSON, NDJSON, SSE or form)", options: options
    ) { HTTPSource(options: $0) }

    /// The options `init?(options:)` reads: what `gateway plugins http` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec(
            "path", .string, default: .required,
            "the URL path publishers `POST` to; it may not be an endpoint's path (nor match a channel endpoint's `{name}`), "
                + "nor `/`, `/healthz`, `/readyz`, `/metrics` or `/_gateway/…`"),
        OptionSpec(
            "auth",
            [
                OptionSpec(
                    "tokens", .stringList, default: .required("with `auth`"),
                    "the bearer tokens accepted: publishers send `Authorization: Bearer T` (or `?access_token=T`). `auth` is "
                        + "required when `server.listen` is reachable from other machines (`gateway check` says so); optional on a loopback address")
            ]),
        OptionSpec("max_body", .size(minimum: 1), default: "1MiB", "the largest body; a larger one is answered `413` unread"),
    ]

    /// The default `max_body`.
    public static let defaultMaxBody = 1 << 20

    /// Creates a source.
    /// - Parameters:
    ///   - path: the path the gateway serves for it.
    ///   - maxBody: the largest body accepted, in bytes.
    ///   - tokens: the bearer tokens accepted; `nil` for none.
    public init(path: String, maxBody: Int = HTTPSource.defaultMaxBody, tokens: [String]? = nil) {
        self.path = path
        self.maxBody = maxBody
        self.tokens = tokens
    }

    convenience init?(options: OptionsReader) {
        let path = options.string("path", required: true)
        let maxBody = options.size("max_body", default: Self.defaultMaxBody)
        let tokens = Self.tokens(options)
        if let path, !Self.isValidPath(path) {
            options.report(
                "'path' must be an absolute URL path like /publish/orders (no query, no '*' or '{…}'), found '\(path)'",
                at: options.node("path")?.location)
        }
        if tokens == nil, options.node("auth") == nil, !options.shared.listensOnLoopbackOnly {
            options.report(
                "an 'http' source needs 'auth: { tokens: [...] }' when server.listen is reachable from other machines"
                    + " (anyone who can connect could publish); or listen on a loopback address",
                at: options.node("path")?.location)
        }
        guard options.isValid, let path, let maxBody else { return nil }
        self.init(path: path, maxBody: maxBody, tokens: tokens)
    }

    private static func tokens(_ options: OptionsReader) -> [String]? {
        guard let auth = options.nested("auth") else { return nil }
        defer { auth.finish() }
        return auth.bearerTokens()
    }

    private static func isValidPath(_ path: String) -> Bool {
        path.hasPrefix("/") && path.count > 1 && !path.contains(where: { "?#*{} ".contains($0) || $0.isNewline })
    }

    public var summary: String {
        "POST \(path) (max_body \(maxBody) bytes, \(tokens == nil ? "no token" : "bearer token"))"
    }

    public var route: PushRoute {
        PushRoute(path: path, maxBodyBytes: maxBody, tokens: tokens) { [self] request in handle(request) }
    }

    public func run(_ context: SourceContext) async throws -> SourceCompletion {
        running.withLock { $0 = Running(output: context.output, maxEventSize: context.maxEventSize, logger: context.logger) }
        defer { running.withLock { $0 = nil } }
        // Listening is the server's: the source is ready as soon as it takes requests.
        context.output.markReady()
        context.logger.info("taking events POSTed to \(path)")
        while true {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    /// Answers one publish.
    func handle(_ request: PushRequest) -> PushResponse {
        guard let running = running.withLock({ $0 }) else {
            return PushResponse(
                status: 503, headers: ["Retry-After": "1"],
                json: #"{"error":"this source is not running on this instance now; retry"}"#)
        }
        switch PublishBody.events(contentType: request.contentType, body: request.body, maxEventSize: running.maxEventSize) {
        case .success(let events):
            running.output.emit(events)
            return PushResponse(status: 202, json: #"{"accepted":\#(events.count)}"#)
        case .failure(let problem):
            running.logger.info(
                "publish rejected",
                metadata: ["client.address": "\(request.remoteAddress)", "status": "\(problem.status)", "reason": "\(problem.message)"])
            var body = #"{"error":\#(JSONValue.quoted(problem.message))"#
            if let position = problem.position { body += #","\#(position.key)":\#(position.value)"# }
            return PushResponse(status: problem.status, json: body + "}")
        }
    }
}
