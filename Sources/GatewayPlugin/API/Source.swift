@_exported import EventStream
import Logging

/// An upstream that produces events: an SSE endpoint, a polled API, stdin, a generator.
///
/// The gateway calls ``run(_:)`` once, in its own task, and cancels that task on shutdown.
/// A source hands events to ``SourceContext/output`` as they arrive; it never waits for
/// clients (the output does not block), and it owns its own retry policy.
///
/// ```swift
/// struct TickSource: Source {
///     var summary: String { "a tick every second" }
///     func run(_ context: SourceContext) async throws -> SourceCompletion {
///         var n = 0
///         while !Task.isCancelled {
///             n += 1
///             context.output.emit(Event(event: "tick", data: "\(n)"))
///             try await Task.sleep(for: .seconds(1))
///         }
///         return .finished
///     }
/// }
/// ```
public protocol Source: Sendable {
    /// One line for `gateway check`'s plan, e.g. `GET https://example.com/stream`.
    var summary: String { get }

    /// Produces events until the task is cancelled or the source has nothing more to give.
    func run(_ context: SourceContext) async throws -> SourceCompletion
}

/// How a source's ``Source/run(_:)`` ended.
public enum SourceCompletion: Sendable, Equatable {
    /// The source is done; the gateway goes on serving what it holds.
    case finished
    /// The source is done and the gateway should stop once every client has the last event
    /// (`stdin` with `on_eof: exit`).
    case stopGateway
}

/// What a running source is given: its name, a logger, its limits and where events go.
public struct SourceContext: Sendable {
    /// The source's name in `gateway.yaml`.
    public let name: String
    /// A logger with `source` metadata set.
    public let logger: Logger
    /// `max_event_size`: events larger than this are dropped and reported through ``output``.
    public let maxEventSize: Int
    /// Where events, readiness and drops are reported.
    public let output: SourceOutput
    /// The id of the last event of this source that the gateway already has (stored in its
    /// cluster by an earlier holder, SPEC §5), or `nil` to start afresh. A source that can
    /// resume its upstream from an id (`sse`: `Last-Event-ID`) starts after it.
    public let resumeFrom: String?

    /// Creates a context.
    public init(name: String, logger: Logger, maxEventSize: Int, output: SourceOutput, resumeFrom: String? = nil) {
        self.name = name
        self.logger = logger
        self.maxEventSize = maxEventSize
        self.output = output
        self.resumeFrom = resumeFrom
    }
}

/// The channel from a source to the gateway. Every call is cheap, thread-safe and never blocks.
///
/// The gateway turns these calls into metrics and logs, so sources carry no metrics code.
public struct SourceOutput: Sendable {
    private let emitEvents: @Sendable ([Event]) -> Void
    private let ready: @Sendable () -> Void
    private let drop: @Sendable (_ reason: String, _ count: Int) -> Void
    private let reconnect: @Sendable (_ reason: String) -> Void

    /// Creates an output from the gateway's handlers.
    /// - Parameters:
    ///   - emit: receives events in order.
    ///   - ready: called when the source has connected or delivered for the first time.
    ///   - dropped: counts events the source had to drop, by reason.
    ///   - reconnecting: counts reconnects, by reason.
    public init(
        emit: @escaping @Sendable ([Event]) -> Void,
        ready: @escaping @Sendable () -> Void = {},
        dropped: @escaping @Sendable (_ reason: String, _ count: Int) -> Void = { _, _ in },
        reconnecting: @escaping @Sendable (_ reason: String) -> Void = { _ in }
    ) {
        self.emitEvents = emit
        self.ready = ready
        self.drop = dropped
        self.reconnect = reconnecting
    }

    /// Hands events to every endpoint reading this source, in order.
    public func emit(_ events: [Event]) {
        if !events.isEmpty { emitEvents(events) }
    }

    /// Hands one event to every endpoint reading this source.
    public func emit(_ event: Event) { emitEvents([event]) }

    /// Says the source has connected or delivered at least once (for `/readyz`). Idempotent.
    public func markReady() { ready() }

    /// Counts events the source dropped (`too_large`, `invalid_json`, …).
    public func dropped(reason: String, count: Int = 1) { drop(reason, count) }

    /// Counts one reconnect to the upstream, with its reason (`eof`, `http_503`, `timeout`, …).
    public func reconnecting(reason: String) { reconnect(reason) }
}
