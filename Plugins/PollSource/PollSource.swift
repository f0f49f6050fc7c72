import CurlHTTP
import GatewayPlugin
import Logging

/// `type: poll` — turns a polled JSON API into a push stream.
///
/// Every `interval`, counted from the start of the previous poll (polls never overlap: a slow
/// one delays the next), it requests `url` and hands the JSON body to a ``ChangeTracker``.
/// It sends `If-None-Match` / `If-Modified-Since` once the API gave an `ETag` /
/// `Last-Modified`; a `304` emits nothing. A failed poll (network error, `timeout`, a status
/// other than 2xx and 304, a body that is not JSON or has no `items` list) emits nothing, is
/// logged and counted, keeps what was seen, and the next poll comes at the normal interval — or
/// later, when a `429` or `503` carries a `Retry-After` (seconds or an HTTP-date, at most an hour).
public struct PollSource: Source {
    /// The API's URL.
    public let url: String
    /// Time from the start of one poll to the start of the next.
    public let interval: Duration
    /// The request method.
    public let method: String
    /// The request body, for `POST` and the like.
    public let body: String?
    /// Extra request headers.
    public let headers: [(name: String, value: String)]
    /// The longest one poll may take.
    public let timeout: Duration
    /// What to emit and how items are found.
    public let tracker: ChangeTracker
    /// The HTTP client; the shared one unless a test gives its own.
    public var client: CurlClient = .shared
    /// The largest response body read, in bytes.
    public var maxBodySize = 64 << 20

    /// The plugin entry for the registry.
    public static let plugin = SourcePlugin(type: "poll", summary: "poll a JSON API and emit what changed", options: options) {
        PollSource(options: $0)
    }

    /// Creates a source.
    /// - Parameters:
    ///   - url: the API's URL.
    ///   - interval: time between poll starts.
    ///   - method: the request method.
    ///   - body: a request body, or `nil`.
    ///   - headers: extra request headers.
    ///   - timeout: the longest one poll may take.
    ///   - tracker: what to emit.
    public init(
        url: String, interval: Duration = .seconds(5), method: String = "GET", body: String? = nil,
        headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(10), tracker: ChangeTracker
    ) {
        self.url = url
        self.interval = interval
        self.method = method
        self.body = body
        self.headers = headers
        self.timeout = timeout
        self.tracker = tracker
    }

    init?(options: OptionsReader) {
        let url = options.httpURL()
        let interval = options.duration("interval", default: .seconds(5), minimum: .milliseconds(10))
        let method = options.choice("method", of: ["GET", "POST", "PUT", "PATCH"], default: "GET")
        let body = options.string("body")
        if body != nil, method == "GET" {
            options.report("'body' needs a method that sends one (POST, PUT or PATCH), not GET", at: options.node("body")?.location)
        }
        let headers = options.httpHeaders()
        let timeout = options.duration("timeout", default: .seconds(10), minimum: .milliseconds(1))
        let items = Self.path(options, "items")
        let id = Self.path(options, "id")
        let mode = options.choice("emit", of: ChangeTracker.Mode.allCases.map(\.rawValue), default: "changes")
        let updatedData = options.choice("updated_data", of: ChangeTracker.UpdatedData.allCases.map(\.rawValue), default: "item")
        if updatedData == "patch", let mode, mode != "changes" {
            options.report("'updated_data: patch' needs 'emit: changes' (only changes have updates), not '\(mode)'", at: options.node("updated_data")?.location)
        }
        var types = ChangeTracker.EventTypes(item: options.string("event"))
        if let map = options.nested("types") {
            types.created = Self.type(map, "created", default: types.created) ?? types.created
            types.updated = Self.type(map, "updated", default: types.updated) ?? types.updated
            types.deleted = Self.type(map, "deleted", default: types.deleted) ?? types.deleted
            map.finish()
        }
        guard options.isValid, let url, let interval, let method, let timeout, let mode = mode.flatMap(ChangeTracker.Mode.init),
            let updatedData = updatedData.flatMap(ChangeTracker.UpdatedData.init)
        else {
            return nil
        }
        self.init(
            url: url, interval: interval, method: method, body: body, headers: headers, timeout: timeout,
            tracker: ChangeTracker(mode: mode, items: items ?? nil, id: id ?? nil, types: types, updatedData: updatedData))
    }

    /// A JSON path option: `.some(nil)` when absent, `nil` when malformed (reported).
    private static func path(_ options: OptionsReader, _ key: String) -> JSONPath?? {
        guard let text = options.string(key) else { return .some(nil) }
        guard let path = JSONPath(text), !path.components.isEmpty else {
            options.report("'\(key)' must be a path like 'data.tickets' or 'items[0].id', found '\(text)'", at: options.node(key)?.location)
            return nil
        }
        return .some(path)
    }

    private static func type(_ options: OptionsReader, _ key: String, default defaultType: String) -> String? {
        guard let type = options.string(key, default: defaultType) else { return nil }
        if type.isEmpty || type.contains(where: \.isNewline) {
            options.report("'types.\(key)' must be a non-empty single-line type, found '\(type)'", at: options.node(key)?.location)
            return nil
        }
        return type
    }

    public var summary: String {
        let what: String
        switch tracker.mode {
        case .changes: what = "changes by \(tracker.id.map { "'\($0)'" } ?? "content")"
        case .all: what = "every item"
        case .body: what = "the body when it changes"
        }
        let items = tracker.items.map { " of '\($0)'" } ?? ""
        return "\(method) \(url) every \(Units.describe(interval)), \(what)\(items)"
    }

    public func run(_ context: SourceContext) async throws -> SourceCompletion {
        var logger = context.logger
        logger[metadataKey: "upstream.url"] = "\(url)"
        var poller = Poller(source: self, context: context, logger: logger)
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let started = clock.now
            let retryAfter = await poller.pollOnce()
            do {
                // The API's own wait, when it asked for one, else the interval.
                try await clock.sleep(until: max(started + interval, clock.now + (retryAfter ?? .zero)))
            } catch {
                break
            }
        }
        return .finished
    }
}
