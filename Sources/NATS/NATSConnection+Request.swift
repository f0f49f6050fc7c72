import CNATS

extension NATSConnection {
    /// Sends a core request to `subject` and waits up to `timeout` for the first reply, on the
    /// connection's threads (never on the caller's). Throws ``NATSError`` on timeout, when no
    /// one serves the subject (`NATS_NO_RESPONDERS`), or when the connection is down.
    public func request(subject: String, headers: [NATSHeader] = [], payload: [UInt8], timeout: Duration) async throws(NATSError)
        -> NATSMessage
    {
        let milliseconds = Int64(max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        return try await run { () throws(NATSError) -> NATSMessage in
            let msg = try MessageCopy.outgoing(subject: subject, headers: headers, payload: payload)
            defer { natsMsg_Destroy(msg) }
            var reply: OpaquePointer?
            try NATSError.check(natsConnection_RequestMsg(&reply, self.connection, msg, milliseconds))
            guard let reply else { throw NATSError.invalid("no reply") }
            defer { natsMsg_Destroy(reply) }
            return MessageCopy.core(reply)
        }
    }

    /// Answers a request received on a subscription (publishes to its reply subject). A
    /// message without a reply subject was not a request: nothing is sent.
    public func respond(to request: NATSMessage, headers: [NATSHeader] = [], payload: [UInt8]) throws(NATSError) {
        guard let reply = request.reply else { return }
        try publish(subject: reply, headers: headers, payload: payload)
    }
}
