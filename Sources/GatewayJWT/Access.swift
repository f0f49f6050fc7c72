import GatewayPlugin

/// What a request may read once authenticated: everything (a listed bearer token, or an open
/// endpoint), or what a JWT's `gateway` claim allows, until the token expires.
///
/// The optional claim `gateway`, `{"endpoints": [...], "events": [...]}`, narrows a token:
/// with `endpoints`, only the paths its entries match (``PathPattern``); with `events`, only
/// those event types are delivered, whatever the client asks with `?event=`. An unknown key in
/// the claim makes the token invalid rather than quietly broader (a misspelt `event` would
/// otherwise allow every type).
public struct Access: Sendable, Equatable {
    /// No restriction and no expiry.
    public static let unrestricted = Access()

    /// The token's `sub`, which `{sub}` in ``endpoints`` stands for.
    public var subject: String?
    /// When the token stops being accepted, in seconds since 1970 (its `exp` plus the
    /// verifier's leeway): a stream it opened is closed then. `nil` never.
    public var expiresAt: Double?
    /// The paths it may read; `nil` for every endpoint.
    public var endpoints: [PathPattern]?
    /// The event types it may receive; `nil` for every type.
    public var events: Set<String>?

    /// Creates an access.
    public init(subject: String? = nil, expiresAt: Double? = nil, endpoints: [PathPattern]? = nil, events: Set<String>? = nil) {
        self.subject = subject
        self.expiresAt = expiresAt
        self.endpoints = endpoints
        self.events = events
    }

    /// Whether it may read the path made of `segments` (``PathPattern/split(_:)``).
    public func allows(_ segments: [String]) -> Bool {
        guard let endpoints else { return true }
        return endpoints.contains { $0.matches(segments, subject: subject) }
    }

    /// The types a client is sent: those it asked for (`nil`: all) that this access allows.
    public func deliveredTypes(asked: Set<String>?) -> Set<String>? {
        guard let events else { return asked }
        guard let asked else { return events }
        return asked.intersection(events)
    }

    /// Reads the `gateway` claim into `access`; the reason it is malformed otherwise.
    static func readClaim(_ claim: JSONValue, into access: inout Access) -> String? {
        guard case .object(let members) = claim else { return "the gateway claim is not an object" }
        for member in members {
            switch member.key {
            case "endpoints":
                guard let entries = member.value.array else { return "gateway.endpoints is not a list" }
                var patterns: [PathPattern] = []
                for entry in entries {
                    guard let text = entry.string, let pattern = PathPattern(text) else {
                        return "gateway.endpoints holds an entry that is not a path starting with '/'"
                    }
                    patterns.append(pattern)
                }
                access.endpoints = patterns
            case "events":
                guard let entries = member.value.array else { return "gateway.events is not a list" }
                var types: Set<String> = []
                for entry in entries {
                    guard let text = entry.string else { return "gateway.events holds an entry that is not a string" }
                    types.insert(text)
                }
                access.events = types
            default:
                return "the gateway claim has an unknown key (it takes endpoints and events)"
            }
        }
        return nil
    }
}
