import GatewayJWT
import GatewayPlugin

/// A downstream SSE stream: where it is served, what it reads and how it treats its events.
public struct EndpointSettings: Sendable {
    /// The URL path clients request, starting with `/`; with one `{name}` segment on a channel
    /// endpoint (`/orders/{customer}`).
    public var path: String
    /// The names of the sources merged into this stream, in arrival order.
    public var sources: [String]
    /// The transforms applied in order.
    public var pipeline: [Step]
    /// Events held for `Last-Event-ID` resume (0 = none); per channel on a channel endpoint.
    public var replay: Int
    /// What makes it a channel endpoint; `nil` for a broadcast one.
    public var channel: ChannelSettings?
    /// Who names the events the endpoint sends.
    public var ids: IDs
    /// Bearer tokens a client may present; `nil` for none (an open stream, unless ``jwt`` is set).
    public var tokens: [String]?
    /// Verifies the JSON Web Tokens a client may present (SPEC §6); `nil` for none.
    public var jwt: JWTVerifier?
    /// The type of the event that tells a client its `Last-Event-ID` could not be honoured
    /// exactly (SPEC §3 "Gap signal"); `nil` sends none.
    public var resetEvent: String?
    /// Where the endpoint's log lives: this process's memory, or the cluster's engine.
    public var log: LogPlacement
    /// With `log: cluster`, events older than this leave the stream; `nil` for no age limit.
    public var replayAge: Duration?
    /// The latest event per key, sent first to a client without `Last-Event-ID`; `nil` for none.
    public var snapshot: SnapshotSettings?
    /// Names the endpoint's configuration apart from its pipeline and sources: a reload keeps
    /// the endpoint (clients, ids, log) while it is unchanged, and remakes it otherwise.
    public var fingerprint = ""
    /// Names its pipeline's configuration: a reload swaps the pipeline when it changed.
    public var pipelineFingerprint = ""

    /// One step of a pipeline: a transform plugin with validated options.
    public struct Step: Sendable {
        /// The plugin name, for metrics (`dropped{reason="NAME"}`) and logs.
        public var name: String
        /// Makes the step's transform: one instance per endpoint.
        public var factory: TransformFactory

        /// Creates a step.
        public init(name: String, factory: TransformFactory) {
            self.name = name
            self.factory = factory
        }
    }

    /// Where an endpoint's log lives (SPEC §5 `log`).
    public enum LogPlacement: Sendable, Equatable {
        /// In this process (the default): one gateway serves the endpoint and runs its sources.
        case memory
        /// In the cluster's engine: every instance serves it, one at a time runs its sources.
        case cluster
    }

    /// Who names the events an endpoint sends.
    public enum IDs: Sendable, Equatable {
        /// The endpoint numbers its events `EPOCH-N`; EPOCH names this run of the gateway.
        case sequence
        /// Each event keeps the id its source gave it.
        case source
    }

    /// Creates an endpoint.
    public init(
        path: String, sources: [String], pipeline: [Step] = [], replay: Int = 100, ids: IDs = .sequence, tokens: [String]? = nil,
        resetEvent: String? = "reset", channel: ChannelSettings? = nil, log: LogPlacement = .memory, replayAge: Duration? = nil,
        snapshot: SnapshotSettings? = nil, jwt: JWTVerifier? = nil
    ) {
        self.jwt = jwt
        self.snapshot = snapshot
        self.log = log
        self.replayAge = replayAge
        self.channel = channel
        self.path = path
        self.sources = sources
        self.pipeline = pipeline
        self.replay = replay
        self.ids = ids
        self.tokens = tokens
        self.resetEvent = resetEvent
    }
}
