import CNATS
import NIOConcurrencyHelpers

/// What happened to a connection.
public enum NATSConnectionEvent: Sendable, Equatable {
    /// Connected for the first time after starting without a server.
    case connected
    /// The connection was lost; the library is reconnecting.
    case disconnected
    /// The connection is back (subscriptions and consumers are re-established).
    case reconnected
    /// The connection is closed for good.
    case closed
    /// An asynchronous error: a slow consumer, a consumer that could not be re-created, …
    case error(String)
}

/// The Swift side of one connection's callbacks from libnats.
///
/// libnats calls connection callbacks on its own threads and may call one late — after
/// `natsConnection_Destroy` returned, or while the connection closes. So the `closure` pointer
/// given to libnats is not an object but a number, looked up in ``registry``: once a connection
/// is closed its number finds nothing and a late callback does nothing, and no object is freed
/// under a running callback.
final class ConnectionCallbacks: Sendable {
    let id: Int
    let options: NATSOptions
    private let state = NIOLockedValueBox(State())

    private struct State {
        var handlers: [@Sendable (NATSConnectionEvent) -> Void] = []
        var closed = false
    }

    /// Publish acks arrive here (the publisher registers itself when it is made).
    let acks: PublishAcks

    private static let registry = NIOLockedValueBox(Registry())

    private struct Registry {
        var next = 1
        var entries: [Int: ConnectionCallbacks] = [:]
    }

    init(options: NATSOptions) {
        self.options = options
        self.acks = PublishAcks()
        self.id = Self.registry.withLockedValue { registry in
            defer { registry.next += 1 }
            return registry.next
        }
        Self.registry.withLockedValue { $0.entries[id] = self }
    }

    /// The `closure` pointer libnats passes back.
    var closure: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: id) }

    static func find(_ closure: UnsafeMutableRawPointer?) -> ConnectionCallbacks? {
        let id = Int(bitPattern: closure)
        return registry.withLockedValue { $0.entries[id] }
    }

    /// Forgets the connection: later callbacks find nothing.
    func unregister() {
        _ = Self.registry.withLockedValue { $0.entries.removeValue(forKey: id) }
    }

    func addHandler(_ handler: @escaping @Sendable (NATSConnectionEvent) -> Void) {
        state.withLockedValue { $0.handlers.append(handler) }
    }

    /// Calls every handler with `event`; `.closed` is posted once.
    func post(_ event: NATSConnectionEvent) {
        let handlers: [@Sendable (NATSConnectionEvent) -> Void] = state.withLockedValue { state in
            if state.closed { return [] }
            if event == .closed { state.closed = true }
            return state.handlers
        }
        for handler in handlers { handler(event) }
    }

    /// Installs the connection-level callbacks on `opts`.
    func install(on opts: OpaquePointer) -> natsStatus {
        var status = natsOptions_SetDisconnectedCB(opts, { _, closure in ConnectionCallbacks.find(closure)?.post(.disconnected) }, closure)
        if status == NATS_OK {
            status = natsOptions_SetReconnectedCB(opts, { _, closure in ConnectionCallbacks.find(closure)?.post(.reconnected) }, closure)
        }
        if status == NATS_OK {
            status = natsOptions_SetClosedCB(opts, { _, closure in ConnectionCallbacks.find(closure)?.post(.closed) }, closure)
        }
        if status == NATS_OK {
            status = natsOptions_SetRetryOnFailedConnect(opts, true, { _, closure in ConnectionCallbacks.find(closure)?.post(.connected) }, closure)
        }
        if status == NATS_OK {
            status = natsOptions_SetErrorHandler(
                opts,
                { _, _, error, closure in
                    // The subscription it names may be destroyed by now: it is not looked at.
                    // Subscriptions report the connection's close as an error: it is not one.
                    guard error != NATS_CONNECTION_CLOSED, let callbacks = ConnectionCallbacks.find(closure) else { return }
                    callbacks.post(.error(natsStatus_GetText(error).map { String(cString: $0) } ?? "status \(error.rawValue)"))
                }, closure)
        }
        if status == NATS_OK {
            status = natsOptions_SetCustomReconnectDelay(
                opts,
                { _, attempts, closure in
                    let delay = ConnectionCallbacks.find(closure)?.options.reconnectDelay(attempt: Int(attempts)) ?? .seconds(1)
                    return delay.milliseconds
                }, closure)
        }
        return status
    }
}
