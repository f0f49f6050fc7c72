import GatewayJWT
import GatewayPlugin
import NIOHTTP1

extension Router {
    /// Where tickets are issued (SPEC §6).
    static let ticketPath = "/_gateway/ticket"
    /// The largest ticket request body: `{"endpoint": "/orders/42"}` needs far less.
    static let ticketBodyLimit = 4096

    /// `POST` reads the body; `OPTIONS` is a preflight; anything else is `405`. The token comes
    /// from the `Authorization` header only (``PresentedToken``).
    func ticketRoute(method: HTTPMethod, headers: HTTPHeaders, corsHeaders: [(String, String)]) -> Route {
        switch method {
        case .POST:
            return .ticket(token: PresentedToken.find(headers: headers, target: nil, in: [.header]), headers: corsHeaders)
        case .OPTIONS:
            return .respond(preflight(headers: headers, corsHeaders: corsHeaders, methods: "POST, OPTIONS"))
        default:
            return .respond(
                .text(.methodNotAllowed, "method not allowed: ask for a ticket with POST", headers: [("Allow", "POST, OPTIONS")] + corsHeaders))
        }
    }

    /// The answer to a ticket request whose body is `body`: `200 {"ticket": "...", "expires_in": 30}`
    /// when `token` may read the endpoint the body names; `400` for a body that is not
    /// `{"endpoint": "/path"}`, `404` for a path no endpoint serves, `401`/`403` as for a
    /// stream of it, `503` when too many tickets are outstanding.
    func issueTicket(body: [UInt8], token: PresentedToken?, corsHeaders: [(String, String)]) -> Route {
        let path: String
        switch Self.ticketEndpoint(in: body) {
        case .success(let named): path = named
        case .failure(let problem): return .respond(.text(.badRequest, problem.message, headers: corsHeaders))
        }
        guard let target = RequestTarget(path), case .endpoint(let endpoint, let match)? = resource(at: target) else {
            return .respond(.text(.notFound, "no endpoint serves '\(path)'", headers: corsHeaders))
        }
        var channels: [String] = []
        switch match {
        case nil: break
        case .channel(let name)?: channels = [name]
        case .several?:
            switch Self.channels(fromQueryValues: target.all("channels")) {
            case .success(let names): channels = names
            case .failure(let problem): return .respond(.text(.badRequest, problem.message, headers: corsHeaders))
            }
        }
        let access: Access
        switch endpoint.auth.authenticate(token, endpoint: endpoint.path, now: now()) {
        case .success(let granted): access = granted
        case .failure(let refusal): return .refuse(refusal, headers: corsHeaders)
        }
        if let refusal = authorize(access, toRead: endpoint, channels: channels) { return .refuse(refusal, headers: corsHeaders) }
        guard let ticket = tickets.issue(TicketStore.Ticket(endpoint: endpoint.path, access: access)) else {
            return .respond(
                .text(.serviceUnavailable, "too many tickets outstanding; try again shortly", headers: [("Retry-After", "1")] + corsHeaders))
        }
        let seconds = tickets.lifetime.nanoseconds / 1_000_000_000
        return .respond(
            Response(
                .ok, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")] + corsHeaders,
                body: #"{"ticket":"\#(ticket)","expires_in":\#(seconds)}"# + "\n"))
    }

    /// A ticket request body that cannot be read: what the `400` says.
    struct TicketBodyProblem: Error, Equatable {
        var message: String
    }

    /// The path in a ticket request body, `{"endpoint": "/orders"}` (no other key).
    static func ticketEndpoint(in body: [UInt8]) -> Result<String, TicketBodyProblem> {
        let usage = #"the body must be JSON like {"endpoint": "/orders"}"#
        guard let json = try? JSONValue.parse(String(decoding: body, as: UTF8.self)), case .object(let members) = json else {
            return .failure(TicketBodyProblem(message: usage))
        }
        if let other = members.first(where: { $0.key != "endpoint" }) {
            return .failure(TicketBodyProblem(message: "unknown key '\(other.key)': \(usage)"))
        }
        guard let path = json["endpoint"]?.string, path.hasPrefix("/") else {
            return .failure(TicketBodyProblem(message: "'endpoint' must be an endpoint's path, starting with '/': \(usage)"))
        }
        return .success(path)
    }
}
