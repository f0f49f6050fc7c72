/// Why a transfer did not complete: a value with a sentence, and a short reason for metrics.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case network(curlCode: Int, detail: String)
        case timedOut(Duration)
        case idle(Duration)
        case cancelled
        case abortedByHandler
        case invalidRequest(String)
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    /// The connection could not be made or broke (libcurl's code and message).
    static func network(curlCode: Int, detail: String) -> HTTPError { HTTPError(.network(curlCode: curlCode, detail: detail)) }
    /// The whole exchange took longer than the request's `timeout`.
    static func timedOut(after limit: Duration) -> HTTPError { HTTPError(.timedOut(limit)) }
    /// Nothing was received for the request's `idleTimeout`.
    static func idle(for limit: Duration) -> HTTPError { HTTPError(.idle(limit)) }
    /// The transfer was cancelled (its task was cancelled, or the client shut down).
    static let cancelled = HTTPError(.cancelled)
    /// The body handler asked to stop.
    static let abortedByHandler = HTTPError(.abortedByHandler)
    /// libcurl refused the request's settings.
    static func invalidRequest(_ detail: String) -> HTTPError { HTTPError(.invalidRequest(detail)) }

    /// Whether the transfer was cancelled rather than failing.
    public var isCancellation: Bool { code == .cancelled }

    /// Whether the request's `timeout` or `idleTimeout` ran out.
    public var isTimeout: Bool {
        switch code {
        case .timedOut, .idle: true
        default: false
        }
    }

    /// A short label for logs and metrics: `network`, `timeout`, `read_timeout`, `cancelled`,
    /// `aborted` or `invalid_request`.
    public var reason: String {
        switch code {
        case .network: "network"
        case .timedOut: "timeout"
        case .idle: "read_timeout"
        case .cancelled: "cancelled"
        case .abortedByHandler: "aborted"
        case .invalidRequest: "invalid_request"
        }
    }

    public var description: String {
        switch code {
        case .network(let curlCode, let detail): "\(detail) (libcurl error \(curlCode))"
        case .timedOut(let limit): "no complete response within \(limit.shortDescription)"
        case .idle(let limit): "nothing received for \(limit.shortDescription)"
        case .cancelled: "the request was cancelled"
        case .abortedByHandler: "the response was abandoned by its reader"
        case .invalidRequest(let detail): "the request could not be prepared: \(detail)"
        }
    }
}

extension Duration {
    /// `250ms`, `5s`: for messages.
    var shortDescription: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
