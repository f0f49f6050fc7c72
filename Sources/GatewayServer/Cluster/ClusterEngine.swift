import GatewayPlugin

/// The distributed engine a cluster of gateways shares (SPEC §5): where clustered endpoints'
/// logs and leases live.
///
/// The server knows the engine only through these protocols, so an engine other than NATS
/// JetStream (Redis Streams) can follow without touching endpoints. Every method is safe to call
/// from any thread and never blocks an event loop: `async` ones run their I/O on the engine's
/// own threads, and callbacks are made on those threads with data already copied out.
public protocol ClusterEngine: AnyObject, Sendable {
    /// Creates the stream of an endpoint, or updates its limits to `spec`'s, and returns it.
    /// Throws ``ClusterError/unreachable`` while the engine cannot be reached.
    func openStream(_ spec: ClusterStreamSpec) async throws -> any ClusterStream

    /// The lease called `name` (one per clustered endpoint), held for `ttl` unless renewed. An
    /// engine serves one cluster: leases of the same name in two clusters are two leases.
    func lease(named name: String, ttl: Duration) -> any ClusterLease

    /// Whether the engine is reachable now.
    var isConnected: Bool { get }

    /// Calls `handler` (on an engine thread) each time the connection is lost or regained.
    func onConnectionChange(_ handler: @escaping @Sendable (_ connected: Bool) -> Void)

    /// Flushes what is buffered and closes the connection.
    func close() async
    /// Takes the publishes other instances forward to push source `source` (SPEC §7) while
    /// this instance runs it: `handler` answers each, on an engine thread. Cancel the
    /// subscription when the source stops here.
    func servePublishes(to source: String, _ handler: @escaping @Sendable (PushRequest) -> PushResponse) throws
        -> any ClusterSubscription
    /// Forwards a publish for push source `source` to the instance that runs it and returns
    /// that instance's answer. Throws ``ClusterError/unreachable`` when no instance answers
    /// within `timeout` (none runs it now, or the engine is down).
    func forwardPublish(_ request: PushRequest, to source: String, timeout: Duration) async throws -> PushResponse
}

/// What an endpoint's stream must be.
public struct ClusterStreamSpec: Sendable, Equatable {
    /// The endpoint's path (`/quotes`, `/orders/{customer}`): the engine derives the stream's
    /// name and subjects from it (and ``ClusterStreamSpec/cluster``).
    public var endpoint: String
    /// The cluster's name (`cluster.name`): streams and leases of one cluster share it.
    public var cluster: String
    /// Events kept: in all on a broadcast endpoint, per channel on a channel endpoint.
    public var replay: Int
    /// Events older than this are dropped; `nil` for no age limit.
    public var maxAge: Duration?
    /// Bytes kept in all, on a channel endpoint with `replay_bytes`; `nil` for no byte limit.
    public var maxBytes: Int?
    /// Whether each event goes to a channel (a subject of its own).
    public var hasChannels: Bool
    /// Copies the engine keeps (JetStream replicas; at most the number of its servers).
    public var replicas: Int

    public init(
        endpoint: String, cluster: String, replay: Int, maxAge: Duration? = nil, maxBytes: Int? = nil, hasChannels: Bool,
        replicas: Int = 1
    ) {
        self.replicas = replicas
        self.endpoint = endpoint
        self.cluster = cluster
        self.replay = replay
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        self.hasChannels = hasChannels
    }
}

/// An event as the lease holder publishes it.
public struct ClusterMessage: Sendable, Equatable {
    /// The engine drops a second message with the same id (a publish retried after a lost ack).
    public var messageID: String
    /// Its channel on a channel endpoint (any non-empty string); `nil` on a broadcast one.
    public var channel: String?
    /// Its type (header `Gateway-Event`); `nil` for `message`.
    public var type: String?
    /// The id its source gave it (header `Gateway-Id`), what a takeover resumes the upstream from.
    public var sourceID: String?
    /// Its data (the payload).
    public var data: String

    public init(messageID: String, channel: String? = nil, type: String? = nil, sourceID: String? = nil, data: String) {
        self.messageID = messageID
        self.channel = channel
        self.type = type
        self.sourceID = sourceID
        self.data = data
    }
}

/// A message read back from a stream.
public struct StoredMessage: Sendable, Equatable {
    /// Its stream sequence (from 1, increasing).
    public var sequence: UInt64
    /// Its channel, from its subject, on a channel endpoint; `nil` on a broadcast one (or when the
    /// subject is not one of the endpoint's channels: a message someone else put there).
    public var channel: String?
    /// Its type (header `Gateway-Event`); `nil` for `message`.
    public var type: String?
    /// The id its source gave it (header `Gateway-Id`).
    public var sourceID: String?
    /// Its data (the payload, as UTF-8).
    public var data: String

    public init(sequence: UInt64, channel: String? = nil, type: String? = nil, sourceID: String? = nil, data: String) {
        self.sequence = sequence
        self.channel = channel
        self.type = type
        self.sourceID = sourceID
        self.data = data
    }
}

/// The first and last sequence a stream holds. An empty stream has `first == last + 1`: the
/// sequence its next message will get (`first` 1 and `last` 0 when nothing was ever stored).
public struct StreamBounds: Sendable, Equatable {
    /// The oldest sequence held; `last + 1` when the stream is empty.
    public var first: UInt64
    /// The newest sequence ever stored (0 when nothing ever was).
    public var last: UInt64

    public init(first: UInt64, last: UInt64) {
        self.first = first
        self.last = last
    }
}

/// One endpoint's stream in the engine.
public protocol ClusterStream: AnyObject, Sendable {
    /// The stream's name in the engine (for `gateway check`, logs and the dashboard).
    var name: String { get }
    /// Names the stream's creation (milliseconds since 1970): the EPOCH of the endpoint's ids,
    /// the same on every instance, and new when the stream is deleted and made again.
    var epoch: UInt64 { get }

    /// Publishes one message. With an `expectation` the engine stores it only if the stream's
    /// newest message is the one expected — a message already stored under the same
    /// ``ClusterMessage/messageID`` is acknowledged as a duplicate first — so the holder's
    /// messages stay in order (each expects the one before it) and a holder that lost its lease
    /// is refused. Returns at once; `completion` runs on an engine thread. Messages are sent in
    /// the order of the calls.
    func publish(
        _ message: ClusterMessage, expectation: PublishExpectation?,
        completion: @escaping @Sendable (Result<PublishAck, ClusterError>) -> Void)

    /// The stream's first and last sequence now.
    func bounds() async throws -> StreamBounds

    /// Up to `limit` messages from sequence `start` on, in order, of `channels` only when it is
    /// not empty. Fewer (or none) when the stream has no more now.
    func read(from start: UInt64, channels: [String], limit: Int) async throws -> [StoredMessage]

    /// Delivers every message from sequence `start` on, in order, each once, now and as they
    /// are stored — across engine restarts and reconnections — in batches, on an engine thread.
    /// Runs until the returned subscription is cancelled.
    func follow(from start: UInt64, _ deliver: @escaping @Sendable ([StoredMessage]) -> Void) throws -> any ClusterSubscription
}

/// What the stream's newest message must be for a publish to be stored.
public enum PublishExpectation: Sendable, Equatable {
    /// The newest sequence is this one (JetStream `Nats-Expected-Last-Sequence`).
    case lastSequence(UInt64)
    /// The newest message has this message id (JetStream `Nats-Expected-Last-Msg-Id`). An
    /// engine may forget it across its own restart, and then refuses with
    /// ``ClusterError/wrongLastMessageID``; the holder sends again expecting a sequence.
    case lastMessageID(String)
}

/// What the engine answered a publish.
public struct PublishAck: Sendable, Equatable {
    /// The sequence the message has in the stream.
    public var sequence: UInt64
    /// Whether it was already stored (the same message id within the engine's window).
    public var duplicate: Bool

    public init(sequence: UInt64, duplicate: Bool) {
        self.sequence = sequence
        self.duplicate = duplicate
    }
}

/// A live tail of a stream.
public protocol ClusterSubscription: Sendable {
    /// Stops delivery; no callback runs after it returns.
    func cancel()
}

/// A lease in the engine: held by at most one instance at a time, lost unless renewed in time.
public protocol ClusterLease: Sendable {
    /// Takes the lease when nobody holds it, renews it when this instance does; returns whether
    /// this instance holds it now. Throws ``ClusterError/unreachable`` when the engine cannot
    /// be asked (the caller decides what that means: a holder keeps going for a while).
    func hold() async throws -> Bool
    /// Gives the lease up at once (a clean stop), so another instance takes over without
    /// waiting for it to lapse. Best effort.
    func release() async
}

/// Why the engine refused or could not do something.
public enum ClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The engine cannot be reached now (no connection, timeout).
    case unreachable(String)
    /// A publish's expected last sequence did not match: the stream's newest is `actual` (0 when
    /// the engine did not say).
    case wrongLastSequence(actual: UInt64)
    /// A publish's expected last message id did not match.
    case wrongLastMessageID
    /// Anything else the engine answered, in its own words.
    case failed(String)

    public var description: String {
        switch self {
        case .unreachable(let reason): return "engine unreachable: \(reason)"
        case .wrongLastSequence(let actual): return "wrong last sequence (the stream's is \(actual))"
        case .wrongLastMessageID: return "wrong last message id"
        case .failed(let reason): return reason
        }
    }
}
