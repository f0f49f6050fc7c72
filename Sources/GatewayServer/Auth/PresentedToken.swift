import NIOHTTP1

/// The token a request presents, and where it came from.
///
/// Streams take it from `Authorization: Bearer T`, then `?access_token=T` (EventSource cannot
/// set headers), then the cookie `gateway_token` (EventSource with `withCredentials: true`).
/// Publishing and ticket requests take the header only: a cookie would let another site's
/// page publish or mint tickets with a visitor's credentials.
struct PresentedToken: Equatable, Sendable {
    /// Where a token may come from.
    enum Source: String, Sendable {
        case header, query, cookie
    }

    /// The token itself: never logged.
    var value: String
    var source: Source

    /// The name of the cookie that carries a token.
    static let cookieName = "gateway_token"

    /// The first token found in the `sources` allowed, in the order header, query, cookie.
    static func find(headers: HTTPHeaders, target: RequestTarget?, in sources: Set<Source>) -> PresentedToken? {
        if sources.contains(.header), let value = AuthVerdict.credentials(authorizationHeader: headers.first(name: "authorization")) {
            return PresentedToken(value: value, source: .header)
        }
        if sources.contains(.query), let value = target?.first("access_token"), !value.isEmpty {
            return PresentedToken(value: value, source: .query)
        }
        if sources.contains(.cookie), let value = cookie(named: cookieName, in: headers[canonicalForm: "cookie"]), !value.isEmpty {
            return PresentedToken(value: value, source: .cookie)
        }
        return nil
    }

    /// The value of cookie `name` in `Cookie` header values (`a=1; b=2`), optionally quoted
    /// (RFC 6265 §4.2.1); the first when it repeats.
    static func cookie(named name: String, in values: [Substring]) -> String? {
        for value in values {
            for pair in value.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " || $0 == "\t" }
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                var cookie = trimmed[trimmed.index(after: equals)...]
                while let last = cookie.last, last == " " || last == "\t" { cookie.removeLast() }
                if cookie.count >= 2, cookie.first == "\"", cookie.last == "\"" { cookie = cookie.dropFirst().dropLast() }
                return String(cookie)
            }
        }
        return nil
    }
}
