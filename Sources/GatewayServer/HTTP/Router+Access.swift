import GatewayJWT
import GatewayPlugin
import NIOHTTP1

extension Router {
    /// What a stream request may read: what its `?ticket=` was issued with (the ticket is used
    /// up, whatever follows), or what the token it presents allows (``EndpointAuth``). An open
    /// endpoint reads no credentials and uses up no ticket.
    func access(to endpoint: EndpointStream, target: RequestTarget, headers: HTTPHeaders) -> Result<Access, Refusal> {
        let auth = endpoint.auth
        if auth.isOpen { return .success(.unrestricted) }
        if let id = target.first("ticket") {
            guard let ticket = tickets.redeem(id) else {
                return .failure(.invalid("the ticket is unknown, used or expired", endpoint: endpoint.path))
            }
            guard ticket.endpoint == endpoint.path else {
                return .failure(.forbidden("the ticket was issued for another endpoint", endpoint: endpoint.path))
            }
            if let expiresAt = ticket.access.expiresAt, expiresAt < now() {
                return .failure(.invalid("the token the ticket was issued for has expired", endpoint: endpoint.path))
            }
            return .success(ticket.access)
        }
        let token = PresentedToken.find(headers: headers, target: target, in: [.header, .query, .cookie])
        return auth.authenticate(token, endpoint: endpoint.path, now: now())
    }

    /// `403` unless `access` may read every path the request reads: the endpoint's, or on a
    /// channel endpoint each channel's (`/orders/42`); `nil` when it may.
    func authorize(_ access: Access, toRead endpoint: EndpointStream, channels: [String]) -> Refusal? {
        guard access.endpoints != nil else { return nil }
        guard let template = PathTemplate(endpoint.path), endpoint.channelKey != nil else {
            if access.allows(PathPattern.split(endpoint.path)) { return nil }
            return .forbidden("the token may not read this endpoint", endpoint: endpoint.path)
        }
        for channel in channels where !access.allows(template.segments(channel: channel)) {
            return .forbidden("the token may not read channel '\(channel)'", endpoint: endpoint.path)
        }
        return nil
    }
}

extension PathTemplate {
    /// The segments of the path that reads `channel` (``PathPattern/split(_:)``): the channel is
    /// one segment, whatever it holds.
    func segments(channel: String) -> [String] {
        PathPattern.split(String(prefix.dropLast())) + [channel] + (suffix.isEmpty ? [] : PathPattern.split(suffix))
    }
}
