/// One entry of a token's `gateway.endpoints`: the paths it may read.
///
/// Matched segment by segment against the path a client reads (on a channel endpoint, the
/// path with the channel's name as its segment, `/orders/42`):
/// - a plain segment matches itself (`/orders` is the endpoint `/orders`; `/orders/42` is
///   channel `42` of `/orders/{customer}`);
/// - `*` matches any one segment (`/orders/*`: every channel of that endpoint);
/// - `{sub}` matches the token's `sub` claim, and nothing when it has none (`/orders/{sub}`:
///   the caller's own channel).
/// Nothing else is special: `/orders` does not match `/orders/42`.
public struct PathPattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case any
        case subject
    }

    let segments: [Segment]
    /// The entry as written in the token.
    public let description: String

    /// Parses an entry; `nil` when it does not start with `/`.
    public init?(_ text: String) {
        guard text.hasPrefix("/") else { return nil }
        description = text
        segments = Self.split(text).map { segment in
            switch segment {
            case "*": .any
            case "{sub}": .subject
            default: .literal(segment)
            }
        }
    }

    /// Whether the path made of `path` (its segments) matches, for a token whose `sub` is `subject`.
    public func matches(_ path: [String], subject: String?) -> Bool {
        guard path.count == segments.count else { return false }
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let text): if text != part { return false }
            case .any: continue
            case .subject: if subject != part { return false }
            }
        }
        return true
    }

    /// The segments of a path: `/orders/42` is `["orders", "42"]`, `/` is `[""]`.
    public static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }
}
