import GatewayPlugin
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Endpoints' pipelines run offline: events in, what each endpoint publishes out, with no
/// socket, server, event loop or source. `gateway test` runs its cases on it.
///
/// It builds every endpoint from the same ``EndpointSettings`` as ``GatewayServer`` — new
/// transforms from each step's factory, the same `Pipeline`, the same ids (`EPOCH-N` or the
/// source's) and channels — and runs them synchronously on the caller's thread:
///
/// ```swift
/// let harness = PipelineHarness(endpoints: settings.endpoints)
/// harness.feed([Event(event: "quote", data: #"{"price":101}"#)], from: "quotes")
/// let published = harness.finish()          // ["/alerts": [EmittedEvent(…)], …]
/// ```
///
/// Transforms that emit outside `process` are covered as far as an offline run can be:
/// - what a transform emits through its context, from any thread, continues through the steps
///   after it on the caller's thread, serialised with `process`, after each ``feed(_:from:)``;
/// - timers (`TransformContext.repeatEvery`) do not run on a clock: at ``finish()`` each fires
///   **once**, in step order — as if every event fed arrived within one interval — so a
///   throttle sends the latest event per key;
/// - a step that holds events and asked for no timer answers from a thread of its own (`exec`):
///   ``finish()`` waits until each such step that was given events has emitted at least once and
///   none has emitted for ``quietPeriod``, or until `answerTimeout` has passed.
///
/// A harness runs one case: make a new one for the next, so no transform state (a dedupe
/// window) carries over. Not thread-safe: use it from one thread.
public final class PipelineHarness {
    /// How long ``finish()`` waits, at most, for steps that answer from their own threads.
    public static let defaultAnswerTimeout: Duration = .seconds(5)
    /// How long those steps must have been silent before ``finish()`` takes their answers as complete.
    public static let quietPeriod: Duration = .milliseconds(200)

    private let endpoints: [HarnessEndpoint]
    private let mailbox = HarnessMailbox()
    private let answerTimeout: Duration
    private var finished = false
    /// When events last went in (fed, or sent by a timer): answers to them may be on their way.
    private var lastInput = NIODeadline.now()

    /// Builds the endpoints and starts their transforms.
    /// - Parameters:
    ///   - endpoints: the endpoints, as `gateway run` serves them.
    ///   - epoch: the EPOCH of `ids: sequence` ids (`EPOCH-N`); a server uses its start time.
    ///   - answerTimeout: how long ``finish()`` waits, at most, for steps that answer from their own threads.
    ///   - logger: the transforms' logger (each gets `endpoint` and `transform` metadata).
    public init(
        endpoints: [EndpointSettings], epoch: UInt64 = 0, answerTimeout: Duration = defaultAnswerTimeout,
        logger: Logger = Logger(label: "gateway.test")
    ) {
        self.endpoints = endpoints.map { HarnessEndpoint($0, epoch: epoch) }
        self.answerTimeout = answerTimeout
        for (endpointIndex, endpoint) in self.endpoints.enumerated() {
            for (stepIndex, step) in endpoint.steps.enumerated() {
                var stepLogger = logger
                stepLogger[metadataKey: "endpoint"] = "\(endpoint.path)"
                stepLogger[metadataKey: "transform"] = "\(endpoint.pipeline.steps[stepIndex].name)"
                let place = HarnessMailbox.Step(endpoint: endpointIndex, step: stepIndex)
                step.start(
                    TransformContext(
                        endpoint: endpoint.path, logger: stepLogger,
                        emit: { [mailbox] events in mailbox.emit(events, from: place) },
                        dropped: { _, _ in },
                        repeatEvery: { [mailbox] _, tick in mailbox.addTimer(tick, for: place) }))
            }
        }
    }

    deinit {
        if !finished { stopTransforms() }
    }

    /// Hands `events`, in order, to every endpoint that reads `source`, as the source's output
    /// would; then runs what transforms emitted meanwhile.
    public func feed(_ events: [Event], from source: String) {
        precondition(!finished, "feed after finish")
        lastInput = .now()
        for endpoint in endpoints where endpoint.sources.contains(source) {
            endpoint.run(events, fromStep: 0)
        }
        deliver()
    }

    /// Ends the run: waits for steps that answer from their own threads, fires each timer once,
    /// stops every transform, and returns what each endpoint published, by path (every
    /// endpoint is there, with `[]` when it published nothing). Call it once.
    public func finish() -> [String: [EmittedEvent]] {
        precondition(!finished, "finish called twice")
        deliver()
        awaitAnswers()
        let received = endpoints.map { $0.steps.map(\.received) }
        // Step order, so a timer's events reach a later step before that step's own timer fires.
        let timers = mailbox.timers.enumerated().sorted {
            ($0.element.owner.endpoint, $0.element.owner.step, $0.offset) < ($1.element.owner.endpoint, $1.element.owner.step, $1.offset)
        }
        for timer in timers {
            timer.element.tick()
            deliver()
        }
        lastInput = .now()
        if endpoints.map({ $0.steps.map(\.received) }) != received { awaitAnswers() }
        stopTransforms()
        deliver()
        var published: [String: [EmittedEvent]] = [:]
        for endpoint in endpoints { published[endpoint.path] = endpoint.emitted }
        return published
    }

    private func stopTransforms() {
        finished = true
        for endpoint in endpoints {
            for step in endpoint.steps { step.stop() }
        }
    }

    /// Runs what transforms emitted, each batch from the step after the one that emitted it,
    /// until nothing is left (running a batch may make a later step emit).
    private func deliver() {
        while true {
            let deliveries = mailbox.takeDeliveries()
            if deliveries.isEmpty { return }
            for delivery in deliveries {
                endpoints[delivery.from.endpoint].run(delivery.events, fromStep: delivery.from.step + 1)
            }
        }
    }

    /// The steps that hold events, asked for no timer and were given events: they answer from
    /// threads of their own.
    private var answeringSteps: [HarnessMailbox.Step] {
        let timed = Set(mailbox.timers.map(\.owner))
        var steps: [HarnessMailbox.Step] = []
        for (endpointIndex, endpoint) in endpoints.enumerated() {
            for (stepIndex, step) in endpoint.steps.enumerated() where step.holdsEvents && step.received > 0 {
                let place = HarnessMailbox.Step(endpoint: endpointIndex, step: stepIndex)
                if !timed.contains(place) { steps.append(place) }
            }
        }
        return steps
    }

    /// Waits until every answering step has emitted and nothing has been fed or emitted for
    /// ``quietPeriod``, or `answerTimeout` has passed, running what they emit as it arrives.
    private func awaitAnswers() {
        guard !answeringSteps.isEmpty else { return }
        let deadline = NIODeadline.now() + TimeAmount(answerTimeout)
        let quiet = TimeAmount(Self.quietPeriod)
        while true {
            deliver()
            let now = NIODeadline.now()
            if now >= deadline { return }
            if answeringSteps.allSatisfy(mailbox.hasEmitted) && now - max(mailbox.lastEmit, lastInput) >= quiet { return }
            usleep(2_000)
        }
    }
}
