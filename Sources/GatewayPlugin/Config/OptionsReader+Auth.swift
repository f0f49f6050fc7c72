extension OptionsReader {
    /// The `tokens` of an `auth:` map (this reader): the bearer tokens a request may present.
    /// `nil`, with a problem reported, when they are missing, not a list of strings, or one is
    /// empty (an empty token would let anyone in, and usually means an unset `${VARIABLE}`).
    public func bearerTokens() -> [String]? {
        guard let tokens = stringList("tokens") else {
            if isValid { report("'auth' needs 'tokens', a list of accepted bearer tokens") }
            return nil
        }
        if tokens.isEmpty || tokens.contains(where: \.isEmpty) {
            report("'auth.tokens' must hold non-empty tokens (is an environment variable empty?)", at: node["tokens"]?.location)
            return nil
        }
        return tokens
    }
}
