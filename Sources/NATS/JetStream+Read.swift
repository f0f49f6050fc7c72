import CNATS

extension NATSConnection {
    /// Up to `limit` messages of `subject` (a filter: the stream's subject, one of its subjects,
    /// or a wildcard) from sequence `start` on, in order; fewer when the stream has no more now.
    ///
    /// One ephemeral pull consumer per call, then deleted: a replay of the last 100 takes ~1–2 ms
    /// here. The consumer's info says how many messages match (the server's `no_wait` still
    /// waits out the request when none do), and the fetch asks for no more.
    public func read(stream: String, subject: String, from start: UInt64, limit: Int) async throws(NATSError) -> [JetStreamMessage] {
        guard limit > 0 else { return [] }
        return try await run { () throws(NATSError) in try self.readNow(stream: stream, subject: subject, from: start, limit: limit) }
    }

    /// Messages asked for per request: libnats allocates room for the whole batch first.
    public static let readBatch = 1024

    func readNow(stream: String, subject: String, from start: UInt64, limit: Int) throws(NATSError) -> [JetStreamMessage] {
        var sub: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        var options = jsSubOptions()
        jsSubOptions_Init(&options)
        options.Config.DeliverPolicy = js_DeliverByStartSequence
        options.Config.OptStartSeq = max(start, 1)
        options.Config.AckPolicy = js_AckNone
        options.Config.MemoryStorage = true
        // Deleted below; the server forgets it by itself should this process die first.
        options.Config.InactiveThreshold = 30_000_000_000
        let status = stream.withCString { name in
            options.Stream = name
            return js_PullSubscribe(&sub, jetStream, subject, nil, nil, &options, &code)
        }
        try NATSError.check(status, code)
        guard let sub else { throw NATSError.invalid("no subscription") }
        // The consumer is deleted after the answer, on another of the connection's threads.
        let handle = LibraryHandle(sub)
        defer {
            submitOrCancel { active in
                if active { _ = self.gate.use { natsSubscription_Unsubscribe(handle.pointer) } }
                natsSubscription_Destroy(handle.pointer)
            }
        }
        natsSubscription_SetPendingLimits(sub, -1, -1)
        var info: UnsafeMutablePointer<jsConsumerInfo>?
        try NATSError.check(natsSubscription_GetConsumerInfo(&info, sub, nil, &code), code)
        let available = Int(clamping: info?.pointee.NumPending ?? 0)
        jsConsumerInfo_Destroy(info)
        let wanted = min(limit, available)
        var messages: [JetStreamMessage] = []
        messages.reserveCapacity(wanted)
        while messages.count < wanted {
            var request = jsFetchRequest()
            jsFetchRequest_Init(&request)
            let batch = min(wanted - messages.count, Self.readBatch)
            request.Batch = Int32(batch)
            request.NoWait = true
            request.Expires = max(self.options.requestTimeout.nanoseconds, 1_000_000)
            var list = natsMsgList()
            let status = natsSubscription_FetchRequest(&list, sub, &request)
            // No message (404): some were removed (age, limits) since the consumer was made.
            if status == NATS_NOT_FOUND { break }
            try NATSError.check(status)
            var last: JetStreamMessage?
            let received = Int(list.Count)
            for index in 0..<received {
                guard let msg = list.Msgs[index] else { continue }
                if let message = MessageCopy.delivered(msg) {
                    messages.append(message)
                    last = message
                }
            }
            natsMsgList_Destroy(&list)
            // Fewer than asked for, or nothing after the last: that is all there is now.
            if received < batch || last?.pending == 0 { break }
        }
        return messages
    }
}
