import CurlHTTP
import GatewayPlugin
import Logging

/// `type: sse` — relays an upstream Server-Sent Events stream.
///
/// It connects, reads `200 text/event-stream` bodies through ``SSEParser`` and emits each
/// event with its id as a browser would hold it. When the stream ends it reconnects with
/// `Last-Event-ID`, after a delay from ``Backoff``:
/// - end of stream, network errors, `read_timeout` and 5xx: exponential backoff with full
///   jitter from `reconnect.initial` (or the server's `retry:`) up to `reconnect.max`;
///   a stream that delivered events and lasted at least ``healthyStreamDuration`` resets the
///   backoff (one that closes at once keeps backing off, whatever it sent); no delay is
///   shorter than ``Backoff/floor``; their "reconnecting" warning is logged at most once per
///   ``warningInterval``, with the number of failures not logged;
/// - other statuses (4xx…) and a wrong `Content-Type`: `reconnect.max`, logged each time;
/// - `204 No Content`: stop for good, as the HTML standard says.
public struct SSESource: Source {
    /// The upstream URL.
    public let url: String
    /// Extra request headers, in order.
    public let headers: [(name: String, value: String)]
    /// The first reconnection delay's ceiling (until the server sends `retry:`).
    public let initialDelay: Duration
    /// The largest reconnection delay.
    public let maximumDelay: Duration
    /// No byte (comments count) for this long means the upstream stalled: reconnect.
    public let readTimeout: Duration
    /// Picks a delay in `0...ceiling`; tests fix it.
    public var jitter: @Sendable (Duration) -> Duration = Backoff.fullJitter
    /// The HTTP client; the shared one unless a test gives its own.
    public var client: CurlClient = .shared

    /// A stream must last this long (and deliver events) to count as healthy.
    static let healthyStreamDuration: Duration = .seconds(1)
    /// The "reconnecting" warning is logged at most this often.
    static let warningInterval: Duration = .seconds(10)

    /// The plugin entry for the registry.
    public static let plugin = SourcePlugin(type: "sse", summary: "relay an upstream Server-Sent Events stream", options: options) {
        SSESource(options: $0)
    }

    /// The options `init?(options:)` reads: what `gateway plugins sse` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec("url", .string, default: .required, "the stream's URL, `http://` or `https://`"),
        OptionSpec("headers", .stringMap, "extra request headers (names must be valid HTTP tokens; values one line)"),
        OptionSpec(
            "reconnect",
            [
                OptionSpec(
                    "initial", .duration(minimum: .milliseconds(1)), default: "1s",
                    "the ceiling of the first reconnection delay; the server's `retry:` replaces it"),
                OptionSpec(
                    "max", .duration(minimum: .milliseconds(1)), default: "30s",
                    "the largest delay; also the delay after failures that retrying soon cannot fix"),
            ]),
        OptionSpec(
            "read_timeout", .duration(minimum: .milliseconds(1)), default: "5m",
            "no byte for this long (comments and heartbeats count) means the upstream stalled: reconnect"),
    ]

    /// Creates a source.
    /// - Parameters:
    ///   - url: the upstream URL (`http://` or `https://`).
    ///   - headers: extra request headers.
    ///   - initialDelay: `reconnect.initial`.
    ///   - maximumDelay: `reconnect.max`.
    ///   - readTimeout: `read_timeout`.
    public init(
        url: String, headers: [(name: String, value: String)] = [], initialDelay: Duration = .seconds(1),
        maximumDelay: Duration = .seconds(30), readTimeout: Duration = .seconds(300)
    ) {
        self.url = url
        self.headers = headers
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.readTimeout = readTimeout
    }

    init?(options: OptionsReader) {
        let url = options.httpURL()
        let headers = options.httpHeaders()
        var initial: Duration? = .seconds(1)
        var maximum: Duration? = .seconds(30)
        if let reconnect = options.nested("reconnect") {
            initial = reconnect.duration("initial", default: .seconds(1), minimum: .milliseconds(1))
            maximum = reconnect.duration("max", default: .seconds(30), minimum: .milliseconds(1))
            if let initial, let maximum, initial > maximum {
                reconnect.report(
                    "'reconnect.initial' (\(Units.describe(initial))) must not exceed 'reconnect.max' (\(Units.describe(maximum)))",
                    at: reconnect.node("initial")?.location)
            }
            reconnect.finish()
        }
        let readTimeout = options.duration("read_timeout", default: .seconds(300), minimum: .milliseconds(1))
        guard options.isValid, let url, let initial, let maximum, let readTimeout else { return nil }
        self.init(url: url, headers: headers, initialDelay: initial, maximumDelay: maximum, readTimeout: readTimeout)
    }

    public var summary: String {
        "GET \(url) (reconnect \(Units.describe(initialDelay))…\(Units.describe(maximumDelay)), read timeout \(Units.describe(readTimeout)))"
    }

    public func run(_ context: SourceContext) async throws -> SourceCompletion {
        var logger = context.logger
        logger[metadataKey: "upstream.url"] = "\(url)"
        var parser = SSEParser(maxEventSize: context.maxEventSize)
        if let resumeFrom = context.resumeFrom {
            parser.setLastEventID(resumeFrom)
            logger.info("resuming the upstream after the last event stored", metadata: ["last_event_id": "\(resumeFrom)"])
        }
        var backoff = Backoff(initial: initialDelay, maximum: maximumDelay, jitter: jitter)
        var warnings = LogLimiter(interval: Self.warningInterval)
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let reader = EventStreamReader(parser: parser, output: context.output, logger: logger)
            let connected = clock.now
            let end = await client.stream(request(lastEventID: parser.lastEventID), handler: reader)
            parser = reader.parser
            parser.reset()
            if let retry = reader.retry { backoff.initial = max(.milliseconds(retry), Backoff.floor) }
            if reader.eventsDelivered > 0, clock.now - connected >= Self.healthyStreamDuration { backoff.reset() }

            let delay: Duration
            switch ReconnectDecision(end) {
            case .stop(let reason):
                if reason == "http_204" {
                    logger.notice("the upstream answered 204 No Content: not reconnecting, as the HTML standard says")
                }
                return .finished
            case .retry(let reason):
                delay = backoff.nextDelay()
                context.output.reconnecting(reason: reason)
                if let held = warnings.admit(at: clock.now) {
                    log(end, reason: reason, delay: delay, lastEventID: parser.lastEventID, notLogged: held, to: logger)
                }
            case .retryAtMaximum(let reason):
                // Each of these is logged (SPEC: a 4xx or a wrong type is something to fix); at
                // `reconnect.max` apart, and never closer than the floor, they cannot flood.
                delay = max(backoff.maximum, Backoff.floor)
                context.output.reconnecting(reason: reason)
                log(end, reason: reason, delay: delay, lastEventID: parser.lastEventID, notLogged: 0, to: logger)
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return .finished
            }
        }
        return .finished
    }

    private func log(_ end: HTTPStreamEnd, reason: String, delay: Duration, lastEventID: String, notLogged: Int, to logger: Logger) {
        var metadata: Logger.Metadata = [
            "reason": "\(reason)",
            "detail": "\(ReconnectDecision.explanation(of: end))",
            "reconnect.delay": "\(Units.describe(delay))",
            "last_event_id": "\(lastEventID)",
        ]
        if notLogged > 0 { metadata["failures_not_logged"] = "\(notLogged)" }
        logger.warning("upstream stream ended; reconnecting", metadata: metadata)
    }

    /// The request for one connection: the configured headers, the ones EventSource sends, and
    /// `Last-Event-ID` once an id has been seen.
    func request(lastEventID: String) -> HTTPRequest {
        var fields = headers
        let names = Set(headers.map { $0.name.lowercased() })
        if !names.contains("accept") { fields.append(("Accept", "text/event-stream")) }
        if !names.contains("cache-control") { fields.append(("Cache-Control", "no-cache")) }
        if !lastEventID.isEmpty { fields.append(("Last-Event-ID", lastEventID)) }
        return HTTPRequest(url: url, headers: fields, idleTimeout: readTimeout)
    }
}
