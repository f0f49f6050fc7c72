import CNATS

extension NATSConnection {
    /// The sequence of the newest message in `stream` whose subject matches `subject` (a
    /// wildcard allowed), or `nil` when the stream holds none.
    ///
    /// With ``streamInfo(_:)`` it gives the start of a reader that begins with the last message
    /// (JetStream's "deliver last" policy) for ``follow(stream:subject:from:pendingLimits:maxBatch:onError:deliver:)``.
    /// Throws ``NATSError/isStreamNotFound`` when there is no such stream.
    public func lastSequence(stream: String, subject: String) async throws(NATSError) -> UInt64? {
        try await run { () throws(NATSError) -> UInt64? in
            var msg: OpaquePointer?
            var code = jsErrCode(rawValue: 0)
            let status = js_GetLastMsg(&msg, self.jetStream, stream, subject, nil, &code)
            if code == JSNoMessageFoundErr || (status == NATS_NOT_FOUND && code.rawValue == 0) { return nil }
            try NATSError.check(status, code)
            guard let msg else { return nil }
            defer { natsMsg_Destroy(msg) }
            return natsMsg_GetSequence(msg)
        }
    }
}
