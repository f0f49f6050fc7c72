/// The life of one HTTP connection, as decisions without I/O.
///
/// A connection reads request heads and answers them one at a time (keep-alive); once a
/// request opens an event stream, the connection belongs to that stream and anything more
/// the client sends is ignored. A malformed request is answered with `400` unless a response
/// has already started, and the connection is closed.
struct ConnectionStateMachine: Sendable {
    enum State: Equatable, Sendable {
        /// Waiting for a request head.
        case idle
        /// A head was routed; waiting for the end of its body.
        case reading(keepAlive: Bool, isHead: Bool)
        /// The connection carries an event stream.
        case streaming
        /// A final response was written; the connection is closing.
        case closing
    }

    /// What the handler must do.
    enum Action: Equatable, Sendable {
        /// Nothing yet.
        case none
        /// Answer the routed request; `keepAlive` false closes after it; `isHead` omits the body.
        case answer(keepAlive: Bool, isHead: Bool)
        /// Answer with `400 Bad Request` (or `431` when the head was too large) and close.
        case rejectMalformed(headTooLarge: Bool)
        /// Answer with `408 Request Timeout` and close.
        case rejectTimeout
        /// Just close the connection.
        case close
        /// Ignore the input.
        case ignore
    }

    private(set) var state: State = .idle
    /// Whether a request was answered on this connection (so waiting is keep-alive idling).
    private var answered = false
    /// Body bytes of the current request.
    private var bodyBytes = 0
    /// The largest body the current request may have.
    private var bodyLimit = Self.maxBodyBytes
    /// The largest request body accepted (and discarded) where the route reads none: only a
    /// push source's path (SPEC §7) reads bodies, up to its own `max_body`.
    static let maxBodyBytes = 64 * 1024

    init() {}

    /// A request head arrived; its body may have up to `bodyLimit` bytes.
    mutating func head(keepAlive: Bool, isHead: Bool, bodyLimit: Int = Self.maxBodyBytes) -> Action {
        switch state {
        case .idle:
            state = .reading(keepAlive: keepAlive, isHead: isHead)
            bodyBytes = 0
            self.bodyLimit = bodyLimit
            return .none
        case .reading, .closing:
            return .ignore
        case .streaming:
            return .ignore
        }
    }

    /// Body bytes arrived.
    mutating func body(count: Int) -> Action {
        guard case .reading = state else { return .ignore }
        bodyBytes += count
        if bodyBytes > bodyLimit {
            state = .closing
            return .rejectMalformed(headTooLarge: false)
        }
        return .none
    }

    /// The request ended: answer it.
    mutating func end() -> Action {
        guard case .reading(let keepAlive, let isHead) = state else { return .ignore }
        state = keepAlive ? .idle : .closing
        answered = true
        return .answer(keepAlive: keepAlive, isHead: isHead)
    }

    /// The answer opened an event stream.
    mutating func startedStream() {
        state = .streaming
    }

    /// The answer was final and the connection must close after it.
    mutating func closingAfterAnswer() {
        state = .closing
    }

    /// The request could not be parsed.
    mutating func malformed(headTooLarge: Bool) -> Action {
        switch state {
        case .idle, .reading:
            state = .closing
            return .rejectMalformed(headTooLarge: headTooLarge)
        case .streaming:
            // A stream has started; its bytes must not be interleaved with an error page.
            return .ignore
        case .closing:
            return .close
        }
    }

    /// The request timeout fired: a connection still owing a request gets `408`; one idle
    /// between keep-alive requests is just closed, as any server ends an idle keep-alive.
    mutating func timedOut() -> Action {
        switch state {
        case .idle where answered:
            state = .closing
            return .close
        case .idle, .reading:
            state = .closing
            return .rejectTimeout
        case .streaming, .closing:
            return .ignore
        }
    }

    /// Whether inbound bytes are ignored (the connection streams or is closing).
    var ignoresInput: Bool {
        state == .streaming || state == .closing
    }
}
