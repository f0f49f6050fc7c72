import GatewayJWT
import GatewayPlugin

/// One entry of `endpoints:`: a downstream SSE stream.
public struct EndpointConfig: Sendable {
    /// `path`: the URL path clients request, starting with `/`.
    public var path: String
    /// `from`: the names of the sources merged into this stream, in arrival order.
    public var from: [String]
    /// `pipeline`: the transforms applied in order.
    public var pipeline: [PipelineStep]
    /// `replay`: events held for `Last-Event-ID` resume (0 = none).
    public var replay: Int
    /// `ids`: how events sent on this endpoint are identified.
    public var ids: IDMode
    /// `auth`: tokens a client must present, or `nil` for an open stream.
    public var auth: AuthConfig?
    /// `reset_event`: the type of the event that tells a client its `Last-Event-ID` could not
    /// be honoured exactly (SPEC §3 "Gap signal"); `nil` (`reset_event: false`) sends none.
    public var resetEvent: String? = "reset"
    /// `channel`, `max_channels`, `replay_bytes`: what makes it a channel endpoint (its path
    /// then has one `{name}` segment); `nil` for a broadcast endpoint.
    public var channel: ChannelConfig?
    /// `log`: where the endpoint's events are kept: in this process (default) or in the
    /// cluster's stream for the endpoint.
    public var log: LogPlacement = .memory
    /// `replay_age`: with `log: cluster`, events older than this leave the stream; `nil` for
    /// no age limit (only `replay` counts).
    public var replayAge: Duration?
    /// `snapshot`: the latest event per key, sent first to a client without `Last-Event-ID`;
    /// `nil` for none.
    public var snapshot: SnapshotConfig?
    /// Where the endpoint is declared.
    public var location: ConfigLocation
    /// Its settings without positions, `pipeline` and `from` (``ConfigNode/fingerprint``): a
    /// reload keeps an endpoint whose fingerprint is unchanged, with its clients and log.
    public var fingerprint = ""
    /// Its `pipeline` without positions: a reload swaps the pipeline of an endpoint whose
    /// pipeline fingerprint changed.
    public var pipelineFingerprint = ""

    /// Creates an endpoint entry.
    public init(
        path: String, from: [String], pipeline: [PipelineStep], replay: Int, ids: IDMode, auth: AuthConfig?,
        location: ConfigLocation
    ) {
        self.path = path
        self.from = from
        self.pipeline = pipeline
        self.replay = replay
        self.ids = ids
        self.auth = auth
        self.location = location
    }
}

/// `ids:` — who names the events an endpoint sends.
public enum IDMode: String, Sendable {
    /// The endpoint numbers its events `EPOCH-N`; EPOCH names this run of the gateway.
    case sequence
    /// Each event keeps the id its source gave it.
    case source
}

/// `log:` — where an endpoint's log lives.
public enum LogPlacement: String, Sendable {
    /// In this process: one gateway serves the endpoint and runs its sources.
    case memory
    /// In the cluster's NATS JetStream, a stream per endpoint: every instance serves it, the
    /// holder of its lease runs its sources.
    case cluster
}

/// `auth:` — who may read an endpoint: listed bearer tokens, JSON Web Tokens, or both. A client
/// presents either in `Authorization: Bearer T`, `?access_token=T` or the cookie
/// `gateway_token`, or trades it for a ticket first (SPEC §6).
public struct AuthConfig: Sendable {
    /// `tokens`: the accepted bearer tokens; `nil` for none (then `jwt` is set).
    public var tokens: [String]?
    /// `jwt`: how JWTs are verified (`secret` or `public_key`, `issuer`, `audience`,
    /// `leeway`); `nil` for none (then `tokens` is set).
    public var jwt: JWTVerifier?

    /// Creates an auth policy.
    public init(tokens: [String]?, jwt: JWTVerifier? = nil) {
        self.tokens = tokens
        self.jwt = jwt
    }
}

/// One step of a pipeline: a transform plugin with validated options.
public struct PipelineStep: Sendable {
    /// The plugin name (`filter`, `rename`, …).
    public var name: String
    /// Makes the step's transform, one instance per endpoint.
    public var factory: TransformFactory
    /// Where the step is declared.
    public var location: ConfigLocation

    /// Creates a step.
    public init(name: String, factory: TransformFactory, location: ConfigLocation) {
        self.name = name
        self.factory = factory
        self.location = location
    }
}

/// The channel options of an endpoint (SPEC §2 "Channels").
public struct ChannelConfig: Sendable {
    /// `channel`: what names an event's channel: `id`, `event` or `data.PATH`.
    public var key: EventField
    /// `max_channels`: channels holding events, at most.
    public var maxChannels: Int
    /// `replay_bytes`: bytes held by all the endpoint's channels, at most; `nil` for no limit.
    public var replayBytes: Int?

    /// Creates channel options.
    public init(key: EventField, maxChannels: Int, replayBytes: Int?) {
        self.key = key
        self.maxChannels = maxChannels
        self.replayBytes = replayBytes
    }
}
