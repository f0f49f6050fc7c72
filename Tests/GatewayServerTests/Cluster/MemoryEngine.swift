import GatewayPlugin
import NIOConcurrencyHelpers

@testable import GatewayServer

/// An engine in memory, for tests of what the server does with one: streams with JetStream's
/// rules (message-id dedupe before the expected last sequence, a count limit), a live tail,
/// leases, and switches to make it unreachable or refuse publishes.
final class MemoryEngine: ClusterEngine, @unchecked Sendable {
    let lock = NIOLock()
    private var streams: [String: MemoryStream] = [:]
    private var leases: [String: String] = [:]
    private var handlers: [@Sendable (Bool) -> Void] = []
    /// While `false`, every call fails as unreachable.
    var reachable: Bool {
        get { lock.withLock { _reachable } }
        set {
            let handlers = lock.withLock { () -> [@Sendable (Bool) -> Void] in
                _reachable = newValue
                return self.handlers
            }
            for handler in handlers { handler(newValue) }
        }
    }
    private var _reachable = true

    func openStream(_ spec: ClusterStreamSpec) async throws -> any ClusterStream {
        try lock.withLock {
            guard _reachable else { throw ClusterError.unreachable("test") }
            if let stream = streams[spec.endpoint] { return stream }
            let stream = MemoryStream(engine: self, name: "S" + spec.endpoint, limit: spec.replay)
            streams[spec.endpoint] = stream
            return stream
        }
    }

    func stream(_ endpoint: String) -> MemoryStream? { lock.withLock { streams[endpoint] } }

    func lease(named name: String, ttl: Duration) -> any ClusterLease { MemoryLease(engine: self, name: name) }

    /// Who holds a lease: the instance's token, or `nil`.
    func holder(of name: String) -> String? { lock.withLock { leases[name] } }
    /// Makes a lease lapse (its holder died).
    func expire(_ name: String) { lock.withLock { _ = leases.removeValue(forKey: name) } }

    var isConnected: Bool { reachable }
    func onConnectionChange(_ handler: @escaping @Sendable (Bool) -> Void) { lock.withLock { handlers.append(handler) } }
    func close() async {}

    private var publishHandlers: [String: @Sendable (PushRequest) -> PushResponse] = [:]

    func servePublishes(to source: String, _ handler: @escaping @Sendable (PushRequest) -> PushResponse) throws -> any ClusterSubscription {
        lock.withLock { publishHandlers[source] = handler }
        return Served(engine: self, source: source)
    }

    func forwardPublish(_ request: PushRequest, to source: String, timeout: Duration) async throws -> PushResponse {
        guard reachable, let handler = lock.withLock({ publishHandlers[source] }) else {
            throw ClusterError.unreachable("no instance serves \(source)")
        }
        return handler(request)
    }

    struct Served: ClusterSubscription {
        let engine: MemoryEngine
        let source: String
        func cancel() { engine.lock.withLock { _ = engine.publishHandlers.removeValue(forKey: source) } }
    }

    final class MemoryLease: ClusterLease, @unchecked Sendable {
        let engine: MemoryEngine
        let name: String
        let token = String(UInt64.random(in: 1...UInt64.max))

        init(engine: MemoryEngine, name: String) {
            self.engine = engine
            self.name = name
        }

        func hold() async throws -> Bool {
            try engine.lock.withLock {
                guard engine._reachable else { throw ClusterError.unreachable("test") }
                if engine.leases[name] == nil { engine.leases[name] = token }
                return engine.leases[name] == token
            }
        }

        func release() async {
            engine.lock.withLock { if engine.leases[name] == token { engine.leases[name] = nil } }
        }
    }
}

final class MemoryStream: ClusterStream, @unchecked Sendable {
    unowned let engine: MemoryEngine
    let name: String
    let epoch: UInt64 = 1_700_000_000_000
    let limit: Int
    private(set) var messages: [StoredMessage] = []
    private var ids: [String: UInt64] = [:]
    private var last: UInt64 = 0
    private var lastMessageID = ""
    private var followers: [(id: Int, deliver: @Sendable ([StoredMessage]) -> Void)] = []
    private var nextFollower = 0
    /// Publishes that fail as unreachable before reaching the stream, by message id.
    var failing: Set<String> = []
    /// Publishes stored whose answer is lost (they fail as unreachable), by message id.
    var losingAnswers: Set<String> = []

    init(engine: MemoryEngine, name: String, limit: Int) {
        self.engine = engine
        self.name = name
        self.limit = limit
    }

    /// Stores a message as another writer would (no id, no expectation).
    func append(_ data: String, channel: String? = nil, sourceID: String? = nil) {
        let delivery = engine.lock.withLock { store(ClusterMessage(messageID: "x\(last + 1)", channel: channel, sourceID: sourceID, data: data)) }
        delivery()
    }

    /// Drops messages through `sequence` (as a limit would).
    func removeThrough(_ sequence: UInt64) {
        engine.lock.withLock { messages.removeAll { $0.sequence <= sequence } }
    }

    var stored: [StoredMessage] { engine.lock.withLock { messages } }

    /// Stores under the engine's lock; returns the live delivery to make outside it.
    private func store(_ message: ClusterMessage) -> () -> Void {
        last += 1
        let stored = StoredMessage(sequence: last, channel: message.channel, type: message.type, sourceID: message.sourceID, data: message.data)
        messages.append(stored)
        ids[message.messageID] = last
        lastMessageID = message.messageID
        if messages.count > limit { messages.removeFirst(messages.count - limit) }
        let followers = self.followers
        return { for follower in followers { follower.deliver([stored]) } }
    }

    func publish(
        _ message: ClusterMessage, expectation: PublishExpectation?, completion: @escaping @Sendable (Result<PublishAck, ClusterError>) -> Void
    ) {
        let (result, delivery): (Result<PublishAck, ClusterError>, (() -> Void)?) = engine.lock.withLock {
            guard engine.reachableUnlocked, !failing.contains(message.messageID) else {
                failing.remove(message.messageID)
                return (.failure(.unreachable("test")), nil)
            }
            if let sequence = ids[message.messageID] { return (.success(PublishAck(sequence: sequence, duplicate: true)), nil) }
            switch expectation {
            case .lastSequence(let expected) where expected != last: return (.failure(.wrongLastSequence(actual: last)), nil)
            case .lastMessageID(let expected) where expected != lastMessageID: return (.failure(.wrongLastMessageID), nil)
            default: break
            }
            let delivery = store(message)
            if losingAnswers.remove(message.messageID) != nil { return (.failure(.unreachable("answer lost")), delivery) }
            return (.success(PublishAck(sequence: last, duplicate: false)), delivery)
        }
        delivery?()
        Task { completion(result) }
    }

    func bounds() async throws -> StreamBounds {
        try engine.lock.withLock {
            guard engine.reachableUnlocked else { throw ClusterError.unreachable("test") }
            return StreamBounds(first: messages.first?.sequence ?? last + 1, last: last)
        }
    }

    func read(from start: UInt64, channels: [String], limit: Int) async throws -> [StoredMessage] {
        try engine.lock.withLock {
            guard engine.reachableUnlocked else { throw ClusterError.unreachable("test") }
            let matching = messages.filter { $0.sequence >= start && (channels.isEmpty || channels.contains($0.channel ?? "")) }
            return Array(matching.prefix(limit))
        }
    }

    func follow(from start: UInt64, _ deliver: @escaping @Sendable ([StoredMessage]) -> Void) throws -> any ClusterSubscription {
        let (id, backlog) = engine.lock.withLock {
            nextFollower += 1
            followers.append((nextFollower, deliver))
            return (nextFollower, messages.filter { $0.sequence >= start })
        }
        if !backlog.isEmpty { deliver(backlog) }
        return Subscription { [weak self] in
            guard let self else { return }
            engine.lock.withLock { self.followers.removeAll { $0.id == id } }
        }
    }

    struct Subscription: ClusterSubscription {
        let stop: @Sendable () -> Void
        func cancel() { stop() }
    }
}

extension MemoryEngine {
    /// ``reachable`` with the lock held.
    var reachableUnlocked: Bool { _reachable }
}
