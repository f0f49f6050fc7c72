/// Options that every NATS connection is read with: `cluster.nats`, and a `nats` source's own.
extension OptionsReader {
    /// The keys ``natsConnection()`` reads.
    public static let natsConnectionKeys = ["url", "token", "user", "password", "tls"]

    /// A NATS connection from `url` (required), `token`, `user` with `password`, and `tls`
    /// (`ca`, `cert` with `key`); `nil` after reporting every problem.
    ///
    /// `url` is one URL, a list, or one string of comma-separated URLs (as `NATS_URL` is usually
    /// written, so `url: ${NATS_URL}` works). Each must be `nats://` or `tls://` with a host.
    public func natsConnection() -> NATSConnectionConfig? {
        let urls = natsURLs()
        let auth = natsAuth()
        let tls = natsTLS()
        guard let urls, let auth, let tls else { return nil }
        return NATSConnectionConfig(urls: urls, auth: auth, tls: tls)
    }

    /// This plugin's own connection when it has `url`; otherwise the file's shared one
    /// (``SharedConfig/natsConnection``, `cluster.nats`), credentials and TLS included.
    ///
    /// Without `url`, credentials or TLS options of its own are an error (they would be
    /// silently ignored), and so is the lack of a shared connection.
    public func natsConnectionOrShared() -> NATSConnectionConfig? {
        if let url = node["url"], !url.isNull { return natsConnection() }
        _ = self.node("url")
        var ownOptions = false
        for key in Self.natsConnectionKeys.dropFirst() {
            if let value = self.node(key) {
                report("'\(key)' goes with 'url': without one, the connection is 'cluster.nats', credentials and all", at: value.location)
                ownOptions = true
            }
        }
        switch shared.natsConnection {
        case .present(let connection):
            return ownOptions ? nil : connection
        case .invalid:
            return nil
        case .absent:
            report("\(context) needs 'url' (like nats://127.0.0.1:4222), or a top-level 'cluster' section whose 'nats' it uses")
            return nil
        }
    }

    private func natsURLs() -> [String]? {
        guard let value = node("url") else {
            report("\(context) needs 'url', a nats:// or tls:// URL (like nats://127.0.0.1:4222) or a list of them")
            return nil
        }
        var candidates: [(text: String, location: ConfigLocation)] = []
        if let text = value.scalar {
            let parts = text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            guard !parts.isEmpty else {
                report("'url' is empty (is an environment variable empty?); write a URL like nats://127.0.0.1:4222", at: value.location)
                return nil
            }
            candidates = parts.map { ($0, value.location) }
        } else if let elements = value.sequence {
            guard !elements.isEmpty else {
                report("'url' must list at least one server, like [nats://127.0.0.1:4222]", at: value.location)
                return nil
            }
            for element in elements {
                guard let text = element.scalar else {
                    report("'url' must be a list of URLs; this element is \(element.kindDescription)", at: element.location)
                    return nil
                }
                candidates.append((text, element.location))
            }
        } else {
            report("'url' must be a URL or a list of URLs, found \(value.kindDescription)", at: value.location)
            return nil
        }
        var urls: [String] = []
        for (text, location) in candidates {
            if NATSConnectionConfig.isValidURL(text) {
                urls.append(text)
            } else {
                report("'url' must be a nats:// or tls:// URL like nats://127.0.0.1:4222, found '\(text)'", at: location)
            }
        }
        return urls.count == candidates.count ? urls : nil
    }

    /// `nil` on error, `.some(nil)` when there are no credentials.
    private func natsAuth() -> NATSConnectionConfig.Auth?? {
        let token = nonEmptyString("token")
        let user = nonEmptyString("user")
        let password = nonEmptyString("password")
        guard let token, let user, let password else { return nil }
        switch (token, user, password) {
        case (nil, nil, nil):
            return .some(nil)
        case (let token?, nil, nil):
            return .some(.token(token))
        case (nil, let user?, let password?):
            return .some(.user(user, password: password))
        case (.some, _, _):
            report("'token' and 'user'/'password' are two ways to sign in; keep one", at: node("token")?.location)
        case (nil, .some, nil):
            report("'user' needs 'password'", at: node("user")?.location)
        case (nil, nil, .some):
            report("'password' needs 'user'", at: node("password")?.location)
        }
        return nil
    }

    /// `nil` on error, `.some(nil)` without `tls`.
    private func natsTLS() -> NATSConnectionConfig.TLS?? {
        guard let tls = nested("tls") else { return .some(nil) }
        let ca = tls.nonEmptyString("ca")
        let cert = tls.nonEmptyString("cert")
        let key = tls.nonEmptyString("key")
        tls.finish()
        guard let ca, let cert, let key, tls.isValid else { return nil }
        switch (cert, key) {
        case (.some, nil):
            report("'tls' has 'cert' but no 'key', the certificate's private key", at: tls.node("cert")?.location)
            return nil
        case (nil, .some):
            report("'tls' has 'key' but no 'cert', the client certificate it goes with", at: tls.node("key")?.location)
            return nil
        default:
            return .some(NATSConnectionConfig.TLS(ca: ca, cert: cert, key: key))
        }
    }

    /// `nil` on error, `.some(nil)` when absent; an empty string is an error.
    private func nonEmptyString(_ key: String) -> String?? {
        guard let value = node(key) else { return .some(nil) }
        guard let text = string(key) else { return nil }
        guard !text.isEmpty else {
            report("'\(key)' is empty (is an environment variable empty?)", at: value.location)
            return nil
        }
        return .some(text)
    }
}
