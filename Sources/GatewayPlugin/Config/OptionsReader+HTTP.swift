/// Options that every HTTP-based plugin reads the same way (`sse`, `poll`).
extension OptionsReader {
    /// An `http://` or `https://` URL; `nil` (and a problem) when absent or of another scheme.
    public func httpURL(_ key: String = "url") -> String? {
        guard let url = string(key, required: true) else { return nil }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), url.count > 8, !url.contains(where: \.isWhitespace) else {
            report("'\(key)' must be an http:// or https:// URL, found '\(url)'", at: node(key)?.location)
            return nil
        }
        return url
    }

    /// A map of request header names to values, in file order. Names must be HTTP tokens and
    /// values a single line; each mistake is reported at its key.
    public func httpHeaders(_ key: String = "headers") -> [(name: String, value: String)] {
        guard let pairs = stringMap(key) else { return [] }
        let entries = node(key)?.mapping ?? []
        var headers: [(name: String, value: String)] = []
        for (name, value) in pairs {
            let location = entries.first { $0.key == name }?.keyLocation
            if name.isEmpty || !name.unicodeScalars.allSatisfy(Self.tokenCharacters.contains) {
                report("'\(key)': '\(name)' is not a valid header name", at: location)
            } else if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                report("'\(key).\(name)' must be a single line", at: location)
            } else {
                headers.append((name, value))
            }
        }
        return headers
    }

    /// RFC 9110 `tchar`.
    private static let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)
}
