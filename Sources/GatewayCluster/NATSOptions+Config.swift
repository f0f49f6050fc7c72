import GatewayPlugin
import NATS

extension NATSOptions {
    /// The options for a `nats:` block of `gateway.yaml` (`cluster.nats`, or a plugin's own):
    /// its URLs, credentials and TLS files, with the wrapper's reconnection defaults.
    public init(_ config: NATSConnectionConfig) {
        var token: String?
        var user: String?
        var password: String?
        switch config.auth {
        case .token(let value): token = value
        case .user(let name, let secret):
            user = name
            password = secret
        case nil: break
        }
        self.init(
            urls: config.urls, token: token, user: user, password: password,
            tls: config.tls.map { NATSOptions.TLS(caFile: $0.ca, certificateFile: $0.cert, keyFile: $0.key) })
    }
}
