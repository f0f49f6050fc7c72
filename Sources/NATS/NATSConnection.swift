import CNATS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import NIOConcurrencyHelpers
import NIOPosix

/// A connection to NATS (libnats), with its JetStream context.
///
/// libnats runs its own threads (a reader and a flusher per connection, a delivery thread per
/// subscription); callbacks come on those, with the data already copied out. Calls that wait
/// for the server (JetStream requests) run on this connection's own queue and are exposed as
/// `async` functions, so no caller blocks a SwiftNIO event loop.
///
/// ```swift
/// let nats = try NATSConnection(options: NATSOptions(urls: ["nats://127.0.0.1:4222"]))
/// nats.onEvent { event in print(event) }
/// let info = try await nats.ensureStream(JetStreamStreamConfig(name: "ORDERS", subjects: ["orders.>"]))
/// ```
public final class NATSConnection: @unchecked Sendable {
    // @unchecked: the pointers are libnats objects, safe to use from any thread; every use but
    // the connection's own callbacks goes through `gate`, which `close()` shuts before
    // destroying them.
    let connection: OpaquePointer
    let jetStream: OpaquePointer
    let callbacks: ConnectionCallbacks
    let options: NATSOptions
    /// Runs the calls that wait for the server: threads of its own, since a Dispatch queue's
    /// width on Linux is the number of cores and a waiting call would hold one of them.
    private let pool: NIOThreadPool
    let publisher: JetStreamPublisher
    let gate = UseGate()
    private let closing = NIOLockedValueBox(false)

    /// Connects, or — when no server answers — returns at once and goes on connecting in the
    /// background (``NATSConnectionEvent/connected`` then tells).
    ///
    /// Blocks for the first attempt (a TCP connect per URL, at most `connectTimeout` each): call
    /// it off event loops.
    /// - Parameters:
    ///   - options: servers, credentials, TLS, reconnection.
    public init(options: NATSOptions) throws(NATSError) {
        guard !options.urls.isEmpty else { throw NATSError.invalid("no NATS server URL") }
        self.options = options
        let callbacks = ConnectionCallbacks(options: options)
        self.callbacks = callbacks
        var opts: OpaquePointer?
        try NATSError.check(natsOptions_Create(&opts))
        guard let opts else { throw NATSError.invalid("no options") }
        defer { natsOptions_Destroy(opts) }
        do throws(NATSError) {
            try Self.configure(opts, options: options, callbacks: callbacks)
            var nc: OpaquePointer?
            let status = natsConnection_Connect(&nc, opts)
            guard status == NATS_OK || status == NATS_NOT_YET_CONNECTED, let nc else { throw NATSError(status) }
            connection = nc
            var jsOpts = jsOptions()
            jsOptions_Init(&jsOpts)
            jsOpts.Wait = max(options.requestTimeout.milliseconds, 1)
            jsOpts.PublishAsync.AckHandler = PublishAcks.handler
            jsOpts.PublishAsync.AckHandlerClosure = callbacks.closure
            jsOpts.PublishAsync.MaxPending = Int64(JetStreamPublisher.window)
            jsOpts.PublishAsync.StallWait = max(options.requestTimeout.milliseconds, 1)
            var js: OpaquePointer?
            let jsStatus = natsConnection_JetStream(&js, nc, &jsOpts)
            guard jsStatus == NATS_OK, let js else {
                let error = NATSError(jsStatus)
                natsConnection_Destroy(nc)
                throw error
            }
            jetStream = js
        } catch {
            callbacks.unregister()
            throw error
        }
        publisher = JetStreamPublisher(jetStream: jetStream, acks: callbacks.acks, gate: gate, maxWait: options.requestTimeout)
        pool = NIOThreadPool(numberOfThreads: max(options.blockingThreads, 1))
        pool.start()
    }

    deinit {
        closeNow()
    }

    private static func configure(_ opts: OpaquePointer, options: NATSOptions, callbacks: ConnectionCallbacks) throws(NATSError) {
        var urls = options.urls.map { strdup($0) }
        defer { urls.forEach { free($0) } }
        let status = urls.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                natsOptions_SetServers(opts, $0, Int32(buffer.count))
            }
        }
        try NATSError.check(status)
        try NATSError.check(natsOptions_SetNoRandomize(opts, true))
        if let token = options.token { try NATSError.check(natsOptions_SetToken(opts, token)) }
        if options.user != nil || options.password != nil {
            try NATSError.check(natsOptions_SetUserInfo(opts, options.user, options.password))
        }
        if let tls = options.tls {
            // Without a CA file libnats verifies the server with the system's roots.
            try NATSError.check(natsOptions_SetSecure(opts, true))
            if let ca = tls.caFile { try NATSError.check(natsOptions_LoadCATrustedCertificates(opts, ca)) }
            if let certificate = tls.certificateFile {
                guard let key = tls.keyFile else { throw NATSError.invalid("a TLS client certificate needs its key file") }
                try NATSError.check(natsOptions_LoadCertificatesChain(opts, certificate, key))
            }
        }
        if let name = options.name { try NATSError.check(natsOptions_SetName(opts, name)) }
        try NATSError.check(natsOptions_SetMaxReconnect(opts, -1))
        try NATSError.check(natsOptions_SetTimeout(opts, max(options.connectTimeout.milliseconds, 1)))
        try NATSError.check(natsOptions_SetPingInterval(opts, max(options.pingInterval.milliseconds, 1)))
        try NATSError.check(natsOptions_SetReconnectBufSize(opts, Int32(clamping: options.reconnectBufferBytes)))
        // Each publish is written at once rather than by the flusher thread (p50 0.6 → 0.15 ms here).
        try NATSError.check(natsOptions_SetSendAsap(opts, true))
        // A request made while disconnected fails at once rather than after its timeout.
        try NATSError.check(natsOptions_SetFailRequestsOnDisconnect(opts, true))
        try NATSError.check(callbacks.install(on: opts))
    }

    /// Whether the connection is up now.
    public var isConnected: Bool {
        gate.use { natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED } ?? false
    }

    /// Calls `handler` (on a libnats thread) on each ``NATSConnectionEvent``. Do not block in it.
    public func onEvent(_ handler: @escaping @Sendable (NATSConnectionEvent) -> Void) {
        callbacks.addHandler(handler)
    }

    /// Sends what is buffered (waiting up to `timeout` for the server to confirm), then closes
    /// the connection. Publishes still waiting for their ack fail.
    public func close(timeout: Duration = .seconds(2)) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.publisher.close()
                self.gate.use {
                    if natsConnection_Status(self.connection) == NATS_CONN_STATUS_CONNECTED {
                        _ = natsConnection_FlushTimeout(self.connection, max(timeout.milliseconds, 1))
                    }
                }
                self.closeNow()
                continuation.resume()
            }
        }
    }

    private func closeNow() {
        let first = closing.withLockedValue { closing in
            defer { closing = true }
            return !closing
        }
        guard first else { return }
        publisher.close()
        // Closing first makes calls still waiting for the server return at once; the gate then
        // waits for them before the context is destroyed.
        natsConnection_Close(connection)
        _ = gate.close()
        callbacks.post(.closed)
        callbacks.unregister()
        for completion in callbacks.acks.takeAll() {
            completion(.failure(NATSError(status: NATS_CONNECTION_CLOSED.rawValue, message: "connection closed")))
        }
        jsCtx_Destroy(jetStream)
        natsConnection_Destroy(connection)
        pool.shutdownGracefully { _ in }
    }

    /// Runs `body` (which may wait for the server) on the connection's threads, unless the
    /// connection is closed by then.
    func submit(_ body: @escaping @Sendable () -> Void) {
        pool.submit { state in
            if state == .active { body() }
        }
    }

    /// Runs `body` on the connection's threads with `true`, or — once the connection is closed —
    /// right away with `false` (to free what needs freeing without asking the server).
    func submitOrCancel(_ body: @escaping @Sendable (_ active: Bool) -> Void) {
        pool.submit { state in body(state == .active) }
    }

    /// Runs `body` (which waits for the server) on the connection's queue.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(NATSError) -> T) async throws(NATSError) -> T {
        let result: Result<T, NATSError> = await withCheckedContinuation { continuation in
            pool.submit { state in
                let result = state == .active ? self.gate.use { Result { () throws(NATSError) -> T in try body() } } : nil
                continuation.resume(returning: result ?? .failure(.closed))
            }
        }
        return try result.get()
    }
}
