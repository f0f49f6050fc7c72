/// How to reach a NATS server (or cluster of servers): `cluster.nats` in `gateway.yaml`, and the
/// connection options of a plugin that talks to NATS itself (the `nats` source).
///
/// A plain value: connecting is the business of whoever is given it (the cluster engine, a
/// source). Its ``description`` leaves out every secret, so it may be logged and printed.
///
/// ```yaml
/// nats:
///   url: [nats://n1:4222, nats://n2:4222]   # or one string; a comma-separated one (like NATS_URL) too
///   token: ${NATS_TOKEN}                    # or user + password
///   tls: { ca: ca.pem, cert: cert.pem, key: key.pem }
/// ```
public struct NATSConnectionConfig: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `url`: the servers, each `nats://HOST[:PORT]` or `tls://HOST[:PORT]`, possibly with
    /// credentials in them (`nats://user:password@host`), in the order given.
    public var urls: [String]
    /// `token`, or `user` with `password`; `nil` when the server needs none (or the URLs carry it).
    public var auth: Auth?
    /// `tls`: TLS with these files; `nil` for plain TCP unless a URL is `tls://`.
    public var tls: TLS?

    /// How the client proves who it is.
    public enum Auth: Sendable, Equatable {
        /// `token`: an authorization token.
        case token(String)
        /// `user` and `password`.
        case user(String, password: String)
    }

    /// TLS options. With no file at all, TLS is used and the server verified with the system's roots.
    public struct TLS: Sendable, Equatable {
        /// `ca`: PEM file of the certificate authorities that sign the server's certificate;
        /// `nil` for the system's roots.
        public var ca: String?
        /// `cert`: PEM file of this client's certificate chain, for servers that verify clients.
        public var cert: String?
        /// `key`: PEM file of the private key of `cert`.
        public var key: String?

        /// Creates TLS options.
        /// - Parameters:
        ///   - ca: the authorities' certificates, or `nil` for the system's.
        ///   - cert: the client certificate, given with `key`.
        ///   - key: the client certificate's key.
        public init(ca: String? = nil, cert: String? = nil, key: String? = nil) {
            self.ca = ca
            self.cert = cert
            self.key = key
        }
    }

    /// Creates a connection configuration.
    /// - Parameters:
    ///   - urls: one URL or more, `nats://` or `tls://`.
    ///   - auth: credentials, if any.
    ///   - tls: TLS options, if any.
    public init(urls: [String], auth: Auth? = nil, tls: TLS? = nil) {
        self.urls = urls
        self.auth = auth
        self.tls = tls
    }

    /// The URLs with any credentials in them replaced by `***`.
    public var redactedURLs: [String] { urls.map(Self.redacting) }

    /// `nats://n1:4222, nats://n2:4222 (token, TLS)`: the servers and how the connection is made,
    /// with no secret in it (a user name is not one).
    public var description: String {
        var extras: [String] = []
        switch auth {
        case .token: extras.append("token")
        case .user(let user, _): extras.append("user '\(user)'")
        case nil: break
        }
        if let tls {
            var files = [tls.ca.map { "ca \($0)" }, tls.cert.map { "cert \($0)" }].compactMap { $0 }
            if files.isEmpty { files = ["system roots"] }
            extras.append("TLS: " + files.joined(separator: ", "))
        }
        let servers = redactedURLs.joined(separator: ", ")
        return extras.isEmpty ? servers : "\(servers) (\(extras.joined(separator: "; ")))"
    }

    /// The same as ``description``: secrets never show, even in `debugPrint` or string interpolation in logs.
    public var debugDescription: String { "NATSConnectionConfig(\(description))" }

    /// The URL schemes a NATS client takes.
    public static let schemes = ["nats", "tls"]

    /// Whether `url` is `nats://` or `tls://`, then `[CREDENTIALS@]HOST[:PORT]` and nothing but an
    /// optional `/` after it. The host is a name, an IPv4 address or a bracketed IPv6 one.
    public static func isValidURL(_ url: String) -> Bool {
        guard let (_, authority) = split(url), !url.contains(where: \.isWhitespace) else { return false }
        let hostAndPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority[...]
        var host: Substring
        var port: Substring?
        if hostAndPort.hasPrefix("[") {
            guard let close = hostAndPort.firstIndex(of: "]") else { return false }
            host = hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close]
            let rest = hostAndPort[hostAndPort.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return false }
            port = rest.isEmpty ? nil : rest.dropFirst()
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        } else {
            if let colon = hostAndPort.firstIndex(of: ":") {
                host = hostAndPort[..<colon]
                port = hostAndPort[hostAndPort.index(after: colon)...]
            } else {
                host = hostAndPort
            }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
                return false
            }
        }
        guard !host.isEmpty else { return false }
        if let port {
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else { return false }
        }
        return true
    }

    /// The scheme (lowercased) and the authority of `url`, when it has a NATS scheme and no path.
    private static func split(_ url: String) -> (scheme: String, authority: Substring)? {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard schemes.contains(scheme) else { return nil }
        var authority = url[separator.upperBound...]
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.contains("/"), !authority.contains("?"), !authority.contains("#") else { return nil }
        return (scheme, authority)
    }

    private static func redacting(_ url: String) -> String {
        guard let separator = url.firstRange(of: "://") else { return url }
        let authority = url[separator.upperBound...]
        guard let at = authority.lastIndex(of: "@") else { return url }
        return url[..<separator.upperBound] + "***@" + authority[authority.index(after: at)...]
    }
}
