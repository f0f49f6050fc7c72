import GatewayPlugin

/// A request's path and query, split and percent-decoded.
struct RequestTarget: Equatable, Sendable {
    /// The path, percent-decoded (`/quotes`).
    var path: String
    /// The path as sent, before percent-decoding (a channel endpoint decodes its one segment).
    var rawPath: Substring
    /// The query parameters in order; `+` means a space, as HTML forms send it.
    var query: [(name: String, value: String)]

    /// Parses an origin-form request target (`/path?a=1&b=2`); `nil` when it is not one.
    init?(_ uri: String) {
        guard uri.hasPrefix("/") else { return nil }
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = parts[0].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let path = Self.percentDecode(rawPath, plusIsSpace: false) else { return nil }
        self.path = path
        self.rawPath = rawPath
        self.query = []
        if parts.count == 2 {
            let rawQuery = parts[1].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            for pair in rawQuery.split(separator: "&") where !pair.isEmpty {
                let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = Self.percentDecode(nameValue[0], plusIsSpace: true),
                    let value = Self.percentDecode(nameValue.count == 2 ? nameValue[1] : "", plusIsSpace: true)
                else { return nil }
                query.append((name, value))
            }
        }
    }

    /// The first value of parameter `name`.
    func first(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// Every value of parameter `name`.
    func all(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }

    static func == (lhs: RequestTarget, rhs: RequestTarget) -> Bool {
        lhs.path == rhs.path && lhs.query.map(\.name) == rhs.query.map(\.name) && lhs.query.map(\.value) == rhs.query.map(\.value)
    }

    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        PercentDecoding.decode(text, plusIsSpace: plusIsSpace)
    }
}
