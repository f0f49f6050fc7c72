import Logging
import NIOHTTP1

/// A request turned away for its credentials: `401` (none, or not valid) or `403` (valid, but
/// not for this). The connection handler logs ``reason`` and answers ``response(corsHeaders:)``.
struct Refusal: Error, Sendable, Equatable {
    /// `401` or `403`.
    var status: HTTPResponseStatus
    /// Why, for the log and the response: never the token or text taken from it.
    var reason: String
    /// The endpoint asked for, when there is one, for the log.
    var endpoint: String?
    /// How loud the log line is: a request without a token is routine (`debug`); a token that
    /// fails is worth seeing (`info`).
    var logLevel: Logger.Level

    /// No token: `401` with a bare challenge.
    static func missing(endpoint: String?) -> Refusal {
        Refusal(status: .unauthorized, reason: "a bearer token is required", endpoint: endpoint, logLevel: .debug)
    }

    /// A token (or ticket) that is not valid: `401`.
    static func invalid(_ reason: String, endpoint: String?) -> Refusal {
        Refusal(status: .unauthorized, reason: reason, endpoint: endpoint, logLevel: .info)
    }

    /// A valid token that may not read this: `403`.
    static func forbidden(_ reason: String, endpoint: String?) -> Refusal {
        Refusal(status: .forbidden, reason: reason, endpoint: endpoint, logLevel: .info)
    }

    /// The answer: the reason as text, with an RFC 6750 challenge on a `401`.
    func response(corsHeaders: [(String, String)]) -> Response {
        var headers = corsHeaders
        if status == .unauthorized {
            // The description is ours (never from the token); quotes cannot occur in it.
            let challenge = logLevel == .debug ? "Bearer" : "Bearer error=\"invalid_token\", error_description=\"\(reason)\""
            headers.insert(("WWW-Authenticate", challenge), at: 0)
        }
        return .text(status, reason, headers: headers)
    }

    static func == (lhs: Refusal, rhs: Refusal) -> Bool {
        lhs.status == rhs.status && lhs.reason == rhs.reason && lhs.endpoint == rhs.endpoint && lhs.logLevel == rhs.logLevel
    }
}
