import CurlHTTP

/// What the `sse` source does after a connection ends, following SPEC §2 and the HTML standard.
enum ReconnectDecision: Equatable {
    /// Stop for good (a 204, or the task was cancelled).
    case stop(reason: String)
    /// Try again after the backoff delay.
    case retry(reason: String)
    /// Try again after `reconnect.max`: retrying soon cannot help (a 4xx, a wrong content type).
    case retryAtMaximum(reason: String)

    /// Classifies how a connection ended.
    init(_ end: HTTPStreamEnd) {
        switch end {
        case .finished:
            self = .retry(reason: "eof")
        case .declined(let head):
            switch head.status {
            case 204: self = .stop(reason: "http_204")
            case 500...599: self = .retry(reason: "http_\(head.status)")
            case 200: self = .retryAtMaximum(reason: "content_type")
            default: self = .retryAtMaximum(reason: "http_\(head.status)")
            }
        case .failed(let error, _):
            self = error.isCancellation ? .stop(reason: "cancelled") : .retry(reason: error.reason)
        }
    }

    /// The sentence a log line gives for this end.
    static func explanation(of end: HTTPStreamEnd) -> String {
        switch end {
        case .finished: "the upstream closed the stream"
        case .declined(let head) where head.status == 200:
            "the upstream answered 200 with Content-Type '\(head.value(of: "Content-Type") ?? "none")', not text/event-stream"
        case .declined(let head): "the upstream answered HTTP \(head.status)"
        case .failed(let error, _): String(describing: error)
        }
    }
}
