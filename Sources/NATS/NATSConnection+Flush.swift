import CNATS

extension NATSConnection {
    /// Sends what is buffered and waits (up to `timeout`) for the server to answer a ping, so
    /// that every subscription made before it is known to the server: a message published
    /// after it returns, by any client, reaches them.
    public func flush(timeout: Duration = .seconds(2)) async throws(NATSError) {
        try await run { () throws(NATSError) in
            try NATSError.check(natsConnection_FlushTimeout(self.connection, max(timeout.milliseconds, 1)))
        }
    }
}
