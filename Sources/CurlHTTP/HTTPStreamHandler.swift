/// Receives a streamed response on the client's transfer thread.
///
/// The client calls ``receive(head:)`` once, when the status and every header field have
/// arrived and before any body byte is accepted, then ``receive(body:)`` for each chunk as it
/// arrives. Calls come one at a time from the client's single transfer thread: keep them
/// short (parse, hand events on) and never block there.
///
/// A handler is used by one thread at a time: the transfer thread while the transfer runs,
/// then whoever awaited ``CurlClient/stream(_:handler:)`` once it returns. Implementations
/// that keep state are therefore `@unchecked Sendable` classes.
///
/// ```swift
/// final class Printer: HTTPStreamHandler, @unchecked Sendable {
///     func receive(head: HTTPResponseHead) -> HTTPHeadDecision { head.status == 200 ? .accept : .decline }
///     func receive(body: UnsafeRawBufferPointer) -> Bool { print(body.count); return true }
/// }
/// ```
public protocol HTTPStreamHandler: AnyObject, Sendable {
    /// Decides whether to read the body of the response whose head this is.
    func receive(head: HTTPResponseHead) -> HTTPHeadDecision

    /// Takes one chunk of the body, valid only during the call. Returns `false` to abandon the
    /// transfer.
    func receive(body: UnsafeRawBufferPointer) -> Bool
}

/// What to do with a response once its head is known.
public enum HTTPHeadDecision: Sendable {
    /// Read the body.
    case accept
    /// Close the connection without reading the body.
    case decline
}

/// How a streamed transfer ended.
public enum HTTPStreamEnd: Sendable, Equatable {
    /// The server sent the whole body and ended the response (for a stream: the upstream
    /// closed it).
    case finished(HTTPResponseHead)
    /// The handler declined the response at its head; no body was read.
    case declined(HTTPResponseHead)
    /// The transfer failed; `head` is the response's head when one had arrived.
    case failed(HTTPError, head: HTTPResponseHead?)

    /// The head of the response, when one arrived.
    public var head: HTTPResponseHead? {
        switch self {
        case .finished(let head), .declined(let head): head
        case .failed(_, let head): head
        }
    }
}
