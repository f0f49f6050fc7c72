/// The status and header fields of a response, known before any of its body.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The status code, e.g. `200`.
    public var status: Int
    /// Header fields in the order received, names as the server spelt them.
    public var headers: [HTTPHeaderField]

    /// Creates a head.
    /// - Parameters:
    ///   - status: the status code.
    ///   - headers: the header fields.
    public init(status: Int, headers: [HTTPHeaderField] = []) {
        self.status = status
        self.headers = headers
    }

    /// The value of the last field named `name` (compared case-insensitively), or `nil`.
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name.lowercased() == wanted }?.value
    }

    /// The media type of `Content-Type`, lower-cased and without parameters
    /// (`text/event-stream; charset=utf-8` → `text/event-stream`), or `nil` when absent.
    public var mediaType: String? {
        guard let contentType = value(of: "Content-Type") else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingCharacters(in: " \t").lowercased()
    }
}

/// One response header field.
public struct HTTPHeaderField: Sendable, Equatable {
    /// The name as received.
    public var name: String
    /// The value, without surrounding white space.
    public var value: String

    /// Creates a field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        return String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
