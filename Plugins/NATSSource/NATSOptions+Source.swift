import GatewayPlugin
import NATS

extension NATSOptions {
    /// The options of a source's connection: the servers, credentials and TLS files of its
    /// `url:` (or of `cluster.nats`), the wrapper's reconnection defaults, and a name the server
    /// shows (`connz`).
    init(source name: String, config: NATSConnectionConfig) {
        var token: String?
        var user: String?
        var password: String?
        switch config.auth {
        case .token(let value): token = value
        case .user(let login, let secret):
            user = login
            password = secret
        case nil: break
        }
        self.init(
            urls: config.urls, token: token, user: user, password: password,
            tls: config.tls.map { NATSOptions.TLS(caFile: $0.ca, certificateFile: $0.cert, keyFile: $0.key) },
            name: "gateway source \(name)")
    }
}
