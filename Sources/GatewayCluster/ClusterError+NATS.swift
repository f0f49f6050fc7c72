import GatewayServer
import NATS

extension ClusterError {
    /// The cluster's view of a NATS failure.
    ///
    /// A wrong expected last sequence names the stream's actual last sequence only in the
    /// server's text (`wrong last sequence: 41`): libnats gives the code and the text, not the
    /// number. Should a server word it otherwise, `actual` is 0.
    init(_ error: NATSError) {
        if error.isWrongLastSequence {
            self = .wrongLastSequence(actual: error.trailingNumber ?? 0)
        } else if error.isWrongLastMessageID {
            self = .wrongLastMessageID
        } else if error.isUnreachable {
            self = .unreachable(error.description)
        } else {
            self = .failed(error.description)
        }
    }
}
