import GatewayJWT
import GatewayPlugin
import NIOHTTP1

/// Decides what a request gets, from its head alone. No I/O: the connection handler acts on
/// the returned ``Route``, which names the endpoint itself.
struct Router: Sendable {
    /// What to do with a request.
    enum Route: Sendable {
        /// Open a stream of `endpoint`: of `channels` on a channel endpoint (none on a broadcast one);
        /// `closesAt` (seconds since 1970) is when the token that opened it expires.
        case stream(
            EndpointStream, channels: [String], lastEventID: String?, types: Set<String>?, headers: [(String, String)], closesAt: Double?)
        /// Open the dashboard's status stream: it starts from its latest snapshot.
        case statusStream(EndpointStream, headers: [(String, String)])
        /// Answer with Prometheus text.
        case metrics(headers: [(String, String)])
        /// Answer with readiness.
        case readiness(headers: [(String, String)])
        /// Answer with a fixed response.
        case respond(Response)
        /// Turn the request away for its credentials, and log why.
        case refuse(Refusal, headers: [(String, String)])
        /// Read the body (at most ``Router/ticketBodyLimit``) and answer with a ticket for the
        /// endpoint it names, if `token` may read it (``Router/issueTicket(body:token:corsHeaders:)``).
        case ticket(token: PresentedToken?, headers: [(String, String)])
        /// Read the body (at most the route's `maxBodyBytes`) and answer with what the push
        /// source's handler says — or, with a relay, what the instance running the source says.
        case push(PushRoute, relay: PushRelay?, headers: [(String, String)])

        /// Whether the answer is a long-lived stream rather than one response.
        var streams: Bool {
            switch self {
            case .stream, .statusStream: return true
            case .metrics, .readiness, .respond, .refuse, .push, .ticket: return false
            }
        }

        /// The most body bytes the route reads before it is answered; `nil` when it reads none.
        var bodyLimit: Int? {
            switch self {
            case .push(let route, _, _): return route.maxBodyBytes
            case .ticket: return Router.ticketBodyLimit
            default: return nil
            }
        }
    }

    /// The path of the dashboard's built-in status stream.
    static let statusPath = "/_gateway/status"

    let endpoints: [String: EndpointStream]
    /// Channel endpoints, matched by their path's template after the exact paths.
    let channelEndpoints: [(template: PathTemplate, endpoint: EndpointStream)]
    /// The dashboard's stream; `nil` when the dashboard is off (then `/` is not served either).
    let statusStream: EndpointStream?
    /// The paths push sources take requests on (SPEC §7), by path.
    let pushRoutes: [String: PushRoute]
    /// Push sources of clustered endpoints, by path: a publish is forwarded to the instance
    /// that runs the source when this one does not.
    let pushRelays: [String: PushRelay]
    let metrics: Bool
    let corsOrigins: [String]?
    /// The tickets issued and not yet used; one store for the server's life, across reloads.
    let tickets: TicketStore
    /// The time of day that tokens' `exp` and `nbf` are checked against.
    let now: @Sendable () -> Double

    init(
        endpoints: [EndpointStream], statusStream: EndpointStream?, pushRoutes: [PushRoute] = [], pushRelays: [PushRelay] = [],
        tickets: TicketStore = TicketStore(), server: ServerSettings, now: @escaping @Sendable () -> Double = WallClock.now
    ) {
        self.tickets = tickets
        self.now = now
        let broadcast = endpoints.filter { $0.channelKey == nil }
        self.endpoints = Dictionary(broadcast.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.channelEndpoints = endpoints.compactMap { endpoint in
            guard endpoint.channelKey != nil, let template = PathTemplate(endpoint.path) else { return nil }
            return (template, endpoint)
        }
        self.statusStream = statusStream
        self.pushRoutes = Dictionary(pushRoutes.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.pushRelays = Dictionary(pushRelays.map { ($0.route.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.metrics = server.metrics
        self.corsOrigins = server.corsOrigins
    }

    /// The route for a request head.
    func route(method: HTTPMethod, uri: String, headers: HTTPHeaders) -> Route {
        guard let target = RequestTarget(uri) else {
            return .respond(.text(.badRequest, "bad request target"))
        }
        let corsHeaders = self.corsHeaders(origin: headers.first(name: "origin"))
        guard let kind = resource(at: target) else {
            return .respond(.text(.notFound, "not found", headers: corsHeaders))
        }
        if case .push(let route) = kind {
            return push(route, method: method, target: target, headers: headers, corsHeaders: corsHeaders)
        }
        if case .ticket = kind {
            return ticketRoute(method: method, headers: headers, corsHeaders: corsHeaders)
        }
        switch method {
        case .GET, .HEAD:
            break
        case .OPTIONS:
            return .respond(preflight(headers: headers, corsHeaders: corsHeaders, methods: "GET, HEAD, OPTIONS"))
        default:
            return .respond(.text(.methodNotAllowed, "method not allowed", headers: [("Allow", "GET, HEAD, OPTIONS")] + corsHeaders))
        }
        switch kind {
        case .endpoint(let endpoint, let match):
            let access: Access
            switch self.access(to: endpoint, target: target, headers: headers) {
            case .success(let granted): access = granted
            case .failure(let refusal): return .refuse(refusal, headers: corsHeaders)
            }
            let lastEventID =
                headers.first(name: "last-event-id") ?? target.first("lastEventId") ?? target.first("last_event_id")
                ?? target.first("evs_last_event_id")
            // A token's `gateway.events` narrows what the client asked for.
            var types = access.deliveredTypes(asked: ClientPolicy.types(fromQueryValues: target.all("event")))
            // The end of a snapshot is not a type to filter: it says where the state ends.
            if let end = (endpoint.log as? SnapshotLog)?.settings.endEvent { types?.insert(end) }
            let channels: [String]
            switch match {
            case nil: channels = []
            case .channel(let name)?: channels = [name]
            case .several?:
                switch Self.channels(fromQueryValues: target.all("channels")) {
                case .success(let names): channels = names
                case .failure(let problem): return .respond(.text(.badRequest, problem.message, headers: corsHeaders))
                }
            }
            if let refusal = authorize(access, toRead: endpoint, channels: channels) { return .refuse(refusal, headers: corsHeaders) }
            return .stream(
                endpoint, channels: channels, lastEventID: lastEventID, types: types, headers: corsHeaders, closesAt: access.expiresAt)
        case .health:
            return .respond(.text(.ok, "ok", headers: corsHeaders))
        case .readiness:
            return .readiness(headers: corsHeaders)
        case .metrics:
            return .metrics(headers: corsHeaders)
        case .dashboard:
            return .respond(
                Response(
                    .ok,
                    headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-cache")] + corsHeaders,
                    body: DashboardPage.html))
        case .clientScript:
            return .respond(ClientScript.response(corsHeaders: corsHeaders))
        case .statusStream(let status):
            return .statusStream(status, headers: corsHeaders)
        case .push, .ticket:
            preconditionFailure("push and ticket routes are answered above")
        }
    }

    /// A push source's path: `POST` (with its token) reads the body; `OPTIONS` is a preflight.
    private func push(
        _ route: PushRoute, method: HTTPMethod, target: RequestTarget, headers: HTTPHeaders, corsHeaders: [(String, String)]
    ) -> Route {
        switch method {
        case .POST:
            if let refusal = refusal(tokens: route.tokens, path: route.path, target: target, headers: headers) {
                return .refuse(refusal, headers: corsHeaders)
            }
            return .push(route, relay: pushRelays[route.path], headers: corsHeaders)
        case .OPTIONS:
            return .respond(preflight(headers: headers, corsHeaders: corsHeaders, methods: "POST, OPTIONS"))
        default:
            return .respond(.text(.methodNotAllowed, "method not allowed: publish with POST", headers: [("Allow", "POST, OPTIONS")] + corsHeaders))
        }
    }

    /// A push source's `401` without a token, `403` with one not listed; `nil` when the request may go on.
    private func refusal(tokens: [String]?, path: String, target: RequestTarget, headers: HTTPHeaders) -> Refusal? {
        let verdict = AuthVerdict(tokens: tokens, authorizationHeader: headers.first(name: "authorization"), accessToken: target.first("access_token"))
        switch verdict {
        case .allowed: return nil
        case .missingToken: return .missing(endpoint: path)
        case .wrongToken: return .forbidden("this token is not allowed", endpoint: path)
        }
    }

    /// What a path names.
    enum Resource {
        /// An endpoint; on a channel endpoint, what the path asks of its channels.
        case endpoint(EndpointStream, PathTemplate.Match?)
        case statusStream(EndpointStream)
        case push(PushRoute)
        case health, readiness, metrics, dashboard, ticket, clientScript
    }

    /// What `target`'s path names; `nil` for nothing (`404`).
    func resource(at target: RequestTarget) -> Resource? {
        let path = target.path
        if let endpoint = endpoints[path] { return .endpoint(endpoint, nil) }
        for (template, endpoint) in channelEndpoints {
            if let match = template.match(rawPath: target.rawPath) { return .endpoint(endpoint, match) }
        }
        if let route = pushRoutes[path] { return .push(route) }
        switch path {
        case "/healthz": return .health
        case "/readyz": return .readiness
        case "/metrics" where metrics: return .metrics
        case "/" where statusStream != nil: return .dashboard
        case Self.statusPath: return statusStream.map(Resource.statusStream)
        case Self.ticketPath: return .ticket
        case ClientScript.path: return .clientScript
        default: return nil
        }
    }

    /// A bad `?channels=` list: what the `400` says.
    struct ChannelsProblem: Error, Equatable {
        var message: String
    }

    /// The channels `?channels=a,b` names (the parameter may repeat): each once, in order,
    /// at least one and at most ``ChannelSettings/maxChannelsPerClient``.
    static func channels(fromQueryValues values: [String]) -> Result<[String], ChannelsProblem> {
        var names: [String] = []
        for value in values {
            for name in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard !name.isEmpty else { return .failure(ChannelsProblem(message: "'channels' holds an empty channel name")) }
                if !names.contains(String(name)) { names.append(String(name)) }
            }
        }
        if names.isEmpty {
            return .failure(ChannelsProblem(message: "'*' reads the channels named by the 'channels' query parameter (channels=a,b)"))
        }
        if names.count > ChannelSettings.maxChannelsPerClient {
            return .failure(
                ChannelsProblem(message: "'channels' names \(names.count) channels; one stream reads at most \(ChannelSettings.maxChannelsPerClient)"))
        }
        return .success(names)
    }

    /// `Access-Control-Allow-Origin` for a request from `origin`, when CORS allows it. A listed
    /// origin (not `*`) may also send credentials: the `gateway_token` cookie of an EventSource
    /// opened `withCredentials` (browsers refuse credentials with `*`, rightly: any site could
    /// then read streams with a visitor's cookie).
    func corsHeaders(origin: String?) -> [(String, String)] {
        guard let corsOrigins, let origin else { return [] }
        let allowed: String
        if corsOrigins.contains("*") {
            allowed = "*"
        } else if corsOrigins.contains(origin) {
            allowed = origin
        } else {
            return []
        }
        var headers = [("Access-Control-Allow-Origin", allowed)]
        if allowed != "*" { headers += [("Vary", "Origin"), ("Access-Control-Allow-Credentials", "true")] }
        return headers
    }

    func preflight(headers: HTTPHeaders, corsHeaders: [(String, String)], methods: String) -> Response {
        var responseHeaders = [("Allow", methods)]
        if !corsHeaders.isEmpty, headers.first(name: "access-control-request-method") != nil {
            responseHeaders += corsHeaders
            responseHeaders.append(("Access-Control-Allow-Methods", methods))
            let requested = headers.first(name: "access-control-request-headers")
            responseHeaders.append(("Access-Control-Allow-Headers", requested ?? "Authorization, Last-Event-ID, Cache-Control"))
            responseHeaders.append(("Access-Control-Max-Age", "86400"))
        }
        return Response(.noContent, headers: responseHeaders)
    }
}
