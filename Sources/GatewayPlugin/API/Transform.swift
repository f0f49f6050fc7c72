import Logging

/// One step of an endpoint's pipeline: takes an event, gives back zero, one or several.
///
/// Each endpoint gets its own instance, so state (a dedupe window) is per endpoint. The
/// gateway calls ``process(_:into:)`` serially, one event at a time, in order, on the hot
/// path: keep it synchronous and cheap, and do no I/O there.
///
/// A transform that produces events on its own schedule (a throttle's timer, a subprocess's
/// output) receives a ``TransformContext`` in ``start(_:)`` and emits through it; those
/// events continue through the steps after this one. A timer comes from the context
/// (``TransformContext/repeatEvery(_:_:)``), so it runs where the pipeline runs.
///
/// ```swift
/// final class Uppercase: Transform {
///     func process(_ event: Event, into output: inout [Event]) {
///         var event = event
///         event.data = event.data.uppercased()
///         output.append(event)
///     }
/// }
/// ```
public protocol Transform: AnyObject {
    /// Appends what becomes of `event` to `output` (nothing drops it).
    func process(_ event: Event, into output: inout [Event])

    /// Called once before the first event, with the means to emit events later.
    func start(_ context: TransformContext)

    /// Called once on shutdown; stop timers and subprocesses here.
    func stop()

    /// Whether the step keeps events to send later (a throttle, a subprocess), so that
    /// appending nothing for an event does not mean it was dropped. The gateway counts an
    /// event a step returns nothing for as dropped (reason: the step's name) unless this is
    /// true; such steps report their own losses through ``TransformContext/dropped(reason:count:)``.
    var holdsEvents: Bool { get }
}

extension Transform {
    /// Most transforms need no start.
    public func start(_ context: TransformContext) {}
    /// Most transforms need no stop.
    public func stop() {}
    /// Most transforms answer each event at once.
    public var holdsEvents: Bool { false }
}

/// What a transform is given when its endpoint starts.
public struct TransformContext: Sendable {
    /// The endpoint path this pipeline belongs to.
    public let endpoint: String
    /// A logger with `endpoint` and `transform` metadata set.
    public let logger: Logger
    private let emitLater: @Sendable ([Event]) -> Void
    private let drop: @Sendable (_ reason: String, _ count: Int) -> Void
    private let timer: @Sendable (_ interval: Duration, _ tick: @escaping @Sendable () -> Void) -> Void

    /// Creates a context.
    /// - Parameters:
    ///   - endpoint: the endpoint path.
    ///   - logger: the logger to use.
    ///   - emit: feeds events into the steps after this transform, serialised with `process`.
    ///   - dropped: counts events this transform lost (a crashed subprocess, a full queue).
    ///   - repeatEvery: starts a repeating timer (see ``repeatEvery(_:_:)``); the gateway runs
    ///     it on the endpoint's executor. A test passes its own clock.
    public init(
        endpoint: String,
        logger: Logger,
        emit: @escaping @Sendable ([Event]) -> Void,
        dropped: @escaping @Sendable (_ reason: String, _ count: Int) -> Void,
        repeatEvery: @escaping @Sendable (_ interval: Duration, _ tick: @escaping @Sendable () -> Void) -> Void
    ) {
        self.endpoint = endpoint
        self.logger = logger
        self.emitLater = emit
        self.drop = dropped
        self.timer = repeatEvery
    }

    /// Sends events produced outside ``Transform/process(_:into:)`` down the pipeline.
    public func emit(_ events: [Event]) {
        if !events.isEmpty { emitLater(events) }
    }

    /// Counts events the transform could not pass on, by reason.
    public func dropped(reason: String, count: Int = 1) { drop(reason, count) }

    /// Calls `tick` every `interval` until the endpoint stops, serialised with
    /// ``Transform/process(_:into:)``: both run on the endpoint's executor, never at once.
    ///
    /// Ticks keep to the schedule (tick n at n × interval from this call, whatever each
    /// takes); after a stall the missed ticks are skipped. No task or thread of the
    /// transform's own is needed, and none outlives the endpoint.
    public func repeatEvery(_ interval: Duration, _ tick: @escaping @Sendable () -> Void) { timer(interval, tick) }
}
