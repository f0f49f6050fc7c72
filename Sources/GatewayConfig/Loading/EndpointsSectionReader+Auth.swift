import GatewayJWT
import GatewayPlugin

extension EndpointsSectionReader {
    /// `auth: { tokens, jwt }`, at least one of them: `nil` on error, `.some(nil)` when there is no auth.
    func readAuth(_ options: OptionsReader) -> AuthConfig?? {
        guard let auth = options.nested("auth") else { return .some(nil) }
        guard auth.node.mapping != nil else {
            auth.finish()
            return nil
        }
        if auth.node["tokens"] == nil && auth.node["jwt"] == nil {
            _ = auth.node("tokens")
            _ = auth.node("jwt")
            auth.report("'auth' needs 'tokens' (a list of accepted bearer tokens), 'jwt' (JSON Web Tokens), or both")
            auth.finish()
            return nil
        }
        var tokens: [String]?
        if auth.node["tokens"] != nil {
            tokens = auth.bearerTokens()
            if tokens == nil {
                auth.finish()
                return nil
            }
        }
        var jwt: JWTVerifier?
        if let node = auth.nested("jwt") {
            jwt = readJWT(node)
            node.finish()
            if jwt == nil {
                auth.finish()
                return nil
            }
        }
        auth.finish()
        guard auth.isValid else { return nil }
        return .some(AuthConfig(tokens: tokens, jwt: jwt))
    }

    /// `jwt: { secret | public_key, issuer, audience, leeway }`. The key is read and parsed
    /// here, so that a missing file or one that holds no usable key fails `gateway check`
    /// with its position rather than the first client.
    private func readJWT(_ jwt: OptionsReader) -> JWTVerifier? {
        guard jwt.node.mapping != nil else { return nil }
        let secretNode = jwt.node("secret")
        let keyNode = jwt.node("public_key")
        let issuer = jwt.string("issuer")
        let audience = jwt.string("audience")
        let leeway = jwt.duration("leeway", default: JWTVerifier.defaultLeeway)
        for (key, value) in [("issuer", issuer), ("audience", audience)] where value?.isEmpty == true {
            jwt.report("'auth.jwt.\(key)' must not be empty (is an environment variable empty?)", at: jwt.node[key]?.location)
        }
        if let leeway, leeway > Self.maximumLeeway {
            jwt.report("'auth.jwt.leeway' must be at most \(Units.describe(Self.maximumLeeway))", at: jwt.node["leeway"]?.location)
        }
        let key: JWTKey?
        switch (secretNode, keyNode) {
        case (nil, nil):
            jwt.report("'auth.jwt' needs 'secret' (HS256, HS384, HS512) or 'public_key' (a PEM file: RS256, ES256 or EdDSA)")
            key = nil
        case (.some, .some(let node)):
            jwt.report("'auth.jwt' takes 'secret' or 'public_key', not both", at: node.location)
            key = nil
        case (.some(let node), nil):
            key = readSecret(node, jwt)
        case (nil, .some(let node)):
            key = readPublicKey(node, jwt)
        }
        guard jwt.isValid, let key, let leeway else { return nil }
        return JWTVerifier(key: key, issuer: issuer, audience: audience, leeway: leeway)
    }

    /// The most `leeway` allowed: it is for clocks a little apart, not for extending tokens.
    static let maximumLeeway: Duration = .seconds(300)

    private func readSecret(_ node: ConfigNode, _ jwt: OptionsReader) -> JWTKey? {
        guard let secret = node.scalar else {
            jwt.report("'auth.jwt.secret' must be a string, found \(node.kindDescription)", at: node.location)
            return nil
        }
        guard secret.utf8.count >= JWTKey.minimumSecretBytes else {
            let hint = secret.isEmpty ? " (is an environment variable empty?)" : ""
            let found = "found \(secret.utf8.count)\(hint); make one with: openssl rand -base64 32"
            jwt.report(
                "'auth.jwt.secret' must be at least \(JWTKey.minimumSecretBytes) bytes, as RFC 7518 requires for HS256, \(found)", at: node.location)
            return nil
        }
        return JWTKey(secret: secret)
    }

    private func readPublicKey(_ node: ConfigNode, _ jwt: OptionsReader) -> JWTKey? {
        guard let path = node.scalar, !path.isEmpty else {
            jwt.report("'auth.jwt.public_key' must be the path of a PEM file, found \(node.describedForMessage)", at: node.location)
            return nil
        }
        guard let text = ConfigLoader.readFile(path) else {
            jwt.report("cannot read 'auth.jwt.public_key' file '\(path)' (relative paths start at the working directory)", at: node.location)
            return nil
        }
        do {
            return try JWTKey(pem: text)
        } catch {
            jwt.report("'auth.jwt.public_key' file '\(path)' \(error.description)", at: node.location)
            return nil
        }
    }
}
