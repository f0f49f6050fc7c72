import CNATS

/// A failure of libnats or of the NATS server, in their own words.
public struct NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libnats' status code (`natsStatus`).
    public var status: UInt32
    /// The JetStream error code the server answered (`10071` wrong last sequence, …); 0 when none.
    public var jetStreamCode: Int
    /// The library's or the server's text.
    public var message: String

    public init(status: UInt32, jetStreamCode: Int = 0, message: String) {
        self.status = status
        self.jetStreamCode = jetStreamCode
        self.message = message
    }

    /// The error of the libnats call that just returned `status` on this thread.
    ///
    /// libnats keeps its last error per thread, so this must run on the thread that made the
    /// call, before any other call.
    init(_ status: natsStatus, jetStreamCode: jsErrCode = jsErrCode(rawValue: 0)) {
        var text = ""
        if let last = nats_GetLastError(nil) { text = String(cString: last) }
        if text.isEmpty, let plain = natsStatus_GetText(status) { text = String(cString: plain) }
        self.init(status: status.rawValue, jetStreamCode: Int(jetStreamCode.rawValue), message: text)
    }

    /// The server answered an expected-last-sequence (or expected-last-subject-sequence) that
    /// did not match.
    public var isWrongLastSequence: Bool { jetStreamCode == Int(JSStreamWrongLastSequenceErr.rawValue) }

    /// The server answered an expected-last-message-id that did not match (or that it does not
    /// know: it keeps the last id in memory only, so not across its restart).
    public var isWrongLastMessageID: Bool { jetStreamCode == Int(JSStreamWrongLastMsgIDErr.rawValue) }

    /// The stream (or the bucket) does not exist.
    public var isStreamNotFound: Bool { jetStreamCode == Int(JSStreamNotFoundErr.rawValue) }

    /// The server was not reached, or did not answer in time: asking again later may work.
    public var isUnreachable: Bool {
        let unreachable: [natsStatus] = [
            NATS_TIMEOUT, NATS_NO_RESPONDERS, NATS_CONNECTION_CLOSED, NATS_CONNECTION_DISCONNECTED,
            NATS_NOT_YET_CONNECTED, NATS_NO_SERVER, NATS_IO_ERROR, NATS_STALE_CONNECTION, NATS_DRAINING,
            // The reconnect buffer is full: publishes made while disconnected fill it.
            NATS_INSUFFICIENT_BUFFER,
        ]
        return unreachable.contains { $0.rawValue == status } || jetStreamCode == Int(JSNotEnabledErr.rawValue)
            || jetStreamCode == Int(JSNotEnabledForAccountErr.rawValue)
    }

    /// The number at the end of the server's text: the stream's actual last sequence in
    /// `wrong last sequence: 41`. `nil` when the text ends otherwise.
    public var trailingNumber: UInt64? {
        let digits = message.reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : UInt64(String(digits.reversed()))
    }

    public var description: String {
        let code = jetStreamCode == 0 ? "" : " (JetStream error \(jetStreamCode))"
        return "\(message.isEmpty ? "NATS status \(status)" : message)\(code)"
    }

    /// Throws the error of the call that returned `status`, unless it is `NATS_OK`.
    static func check(_ status: natsStatus, _ jetStreamCode: jsErrCode = jsErrCode(rawValue: 0)) throws(NATSError) {
        if status != NATS_OK { throw NATSError(status, jetStreamCode: jetStreamCode) }
    }

    /// The connection was closed by ``NATSConnection/close(timeout:)``.
    static let closed = NATSError(status: NATS_CONNECTION_CLOSED.rawValue, message: "connection closed")

    static func invalid(_ message: String) -> NATSError {
        NATSError(status: NATS_INVALID_ARG.rawValue, message: message)
    }
}
