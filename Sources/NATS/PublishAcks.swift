import CNATS
import NIOConcurrencyHelpers

/// What the stream answered a publish.
public struct JetStreamAck: Sendable, Equatable {
    /// The stream that stored the message.
    public var stream: String
    /// The message's sequence in it.
    public var sequence: UInt64
    /// Whether the stream already held a message with the same id (within its duplicate window):
    /// `sequence` is then the first one's.
    public var duplicate: Bool

    public init(stream: String, sequence: UInt64, duplicate: Bool) {
        self.stream = stream
        self.sequence = sequence
        self.duplicate = duplicate
    }
}

/// Completion of an asynchronous publish.
public typealias JetStreamPublishCompletion = @Sendable (Result<JetStreamAck, NATSError>) -> Void

/// The publishes awaiting their ack, by the address of their `natsMsg`.
///
/// libnats hands the published message back to the context's one ack handler; its address
/// names the publish until the handler destroys it, so the completion is registered before the
/// message is handed to libnats and removed before it is destroyed.
final class PublishAcks: Sendable {
    private let waiting = NIOLockedValueBox<[UInt: JetStreamPublishCompletion]>([:])

    func register(_ msg: OpaquePointer, _ completion: @escaping JetStreamPublishCompletion) {
        waiting.withLockedValue { $0[UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(msg)))] = completion }
    }

    func take(_ msg: OpaquePointer) -> JetStreamPublishCompletion? {
        waiting.withLockedValue { $0.removeValue(forKey: UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(msg)))) }
    }

    /// Every waiting completion, forgotten (the connection is closing).
    func takeAll() -> [JetStreamPublishCompletion] {
        waiting.withLockedValue { waiting in
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
    }

    /// The context's ack handler (`jsOptions.PublishAsync.AckHandler`): runs on the thread of
    /// the library's reply subscription, once per publish, with an ack, an error or a timeout.
    static let handler: jsPubAckHandler = { _, msg, ack, error, closure in
        guard let msg else { return }
        // The handler owns the published message.
        defer { natsMsg_Destroy(msg) }
        guard let completion = ConnectionCallbacks.find(closure)?.acks.take(msg) else { return }
        let result: Result<JetStreamAck, NATSError>
        if let ack {
            result = .success(
                JetStreamAck(
                    stream: ack.pointee.Stream.map { String(cString: $0) } ?? "", sequence: ack.pointee.Sequence,
                    duplicate: ack.pointee.Duplicate))
        } else if let error {
            let text = error.pointee.ErrText.map { String(cString: $0) } ?? natsStatus_GetText(error.pointee.Err).map { String(cString: $0) } ?? ""
            result = .failure(NATSError(status: error.pointee.Err.rawValue, jetStreamCode: Int(error.pointee.ErrCode.rawValue), message: text))
        } else {
            result = .failure(NATSError(status: NATS_ERR.rawValue, message: "publish answered with neither an ack nor an error"))
        }
        completion(result)
    }
}
