import CurlHTTP
import GatewayPlugin
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `poll` source's state between polls: the tracker and the validators for conditional
/// requests.
struct Poller {
    let source: PollSource
    let context: SourceContext
    let logger: Logger
    var tracker: ChangeTracker
    var entityTag: String?
    var lastModified: String?

    init(source: PollSource, context: SourceContext, logger: Logger) {
        self.source = source
        self.context = context
        self.logger = logger
        self.tracker = source.tracker
    }

    /// The request for the next poll.
    func request() -> HTTPRequest {
        var fields = source.headers
        let names = Set(fields.map { $0.name.lowercased() })
        if !names.contains("accept") { fields.append(("Accept", "application/json")) }
        if source.body != nil, !names.contains("content-type") { fields.append(("Content-Type", "application/json")) }
        if let entityTag { fields.append(("If-None-Match", entityTag)) }
        if let lastModified { fields.append(("If-Modified-Since", lastModified)) }
        return HTTPRequest(
            url: source.url, method: source.method, headers: fields, body: source.body.map { Array($0.utf8) },
            timeout: source.timeout, connectTimeout: source.timeout, acceptsCompression: true)
    }

    /// Polls once; returns how long the API asked to wait before the next poll (`Retry-After`
    /// on a `429` or `503`), or `nil` for the normal interval.
    @discardableResult
    mutating func pollOnce() async -> Duration? {
        let response: HTTPResponse
        do {
            response = try await source.client.fetch(request(), maxBodySize: source.maxBodySize)
        } catch {
            if error.isCancellation { return nil }
            fail(reason: error.reason, "the poll failed: \(error)")
            return nil
        }
        let status = response.head.status
        if status == 304 {
            context.output.markReady()
            return nil
        }
        guard (200...299).contains(status) else {
            if status == 429 || status == 503, let header = response.head.value(of: "Retry-After") {
                if let delay = RetryAfter.delay(header, now: Self.secondsSince1970()) {
                    logger.warning(
                        "the API asked to wait before the next poll",
                        metadata: ["status": "\(status)", "retry_after": "\(header)", "waiting": "\(delay)"])
                    context.output.reconnecting(reason: "retry_after")
                    return delay
                }
                logger.warning("ignored a Retry-After that is neither seconds nor an HTTP-date", metadata: ["retry_after": "\(header)"])
            }
            fail(reason: "http_\(status)", "the API answered HTTP \(status)")
            return nil
        }
        let json: JSONValue
        do {
            json = try response.body.withUnsafeBytes { bytes throws(JSONParseError) in try JSONValue.parse(bytes) }
        } catch {
            context.output.dropped(reason: "invalid_json")
            fail(reason: nil, "the API's response is not JSON: \(error)")
            return nil
        }
        switch tracker.update(with: json) {
        case .failure(let failure):
            context.output.dropped(reason: "invalid_json")
            fail(reason: nil, "the API's response has an unexpected shape: \(failure)")
        case .success(let result):
            // Validators are kept only from a response that was used, so a bad body is fetched
            // again in full rather than answered with 304.
            entityTag = response.head.value(of: "ETag")
            lastModified = response.head.value(of: "Last-Modified")
            if result.itemsWithoutID > 0 {
                logger.warning("skipped items without an id", metadata: ["items": "\(result.itemsWithoutID)"])
                context.output.dropped(reason: "missing_id", count: result.itemsWithoutID)
            }
            context.output.markReady()
            emit(result.events)
        }
        return nil
    }

    /// The time now, in seconds since 1970 (an HTTP-date's clock).
    private static func secondsSince1970() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private func emit(_ events: [Event]) {
        var kept: [Event] = []
        kept.reserveCapacity(events.count)
        for event in events {
            if event.data.utf8.count > context.maxEventSize {
                logger.warning("dropped an item larger than max_event_size", metadata: ["event.bytes": "\(event.data.utf8.count)"])
                context.output.dropped(reason: "too_large")
            } else {
                kept.append(event)
            }
        }
        context.output.emit(kept)
    }

    /// Logs a failed poll; with a reason, counts it as a retry of the upstream.
    private func fail(reason: String?, _ message: String) {
        logger.warning("poll failed; nothing emitted, trying again at the next interval", metadata: ["detail": "\(message)"])
        if let reason { context.output.reconnecting(reason: reason) }
    }
}
