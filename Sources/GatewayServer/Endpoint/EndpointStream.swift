import DequeModule
import GatewayConfig
import GatewayPlugin
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One endpoint at run time: its pipeline, ids, replay ring and the clients of each event loop.
///
/// Events from every source the endpoint reads arrive through ``ingest(_:fromStep:)`` from any
/// thread; a lock makes the endpoint process them one at a time, in arrival order. Each event
/// that leaves the pipeline is stamped, encoded once, kept in the ring and queued to the
/// event loops that have clients. A source never waits for a client: the work under the lock
/// is bounded by the event, not by the number or speed of clients.
final class EndpointStream: @unchecked Sendable {
    /// The URL path.
    let path: String
    /// The accepted bearer tokens, or `nil` for an open stream.
    let auth: AuthConfig?
    /// The per-event-loop fan-outs, one per loop of the server's group.
    let fanOuts: [LoopFanOut]
    /// Whether this is the dashboard's built-in status stream (not a configured endpoint).
    let isInternal: Bool

    let metrics: EndpointMetrics
    let logger: Logger

    private let lock = NIOLock()
    // Everything below is guarded by `lock`.
    private let pipeline: Pipeline
    private let stamper: IDStamper
    private var ring: ReplayRing
    private var lastSequence: UInt64 = 0
    private var recent: Deque<RecentEvent> = []
    private let recentCapacity: Int
    private let allocator = ByteBufferAllocator()

    init(
        path: String, pipeline: Pipeline, stamper: IDStamper, replay: Int, auth: AuthConfig?, fanOuts: [LoopFanOut],
        metrics: EndpointMetrics, logger: Logger, recentCapacity: Int = 6, isInternal: Bool = false
    ) {
        self.path = path
        self.pipeline = pipeline
        self.stamper = stamper
        self.ring = ReplayRing(capacity: replay)
        self.auth = auth
        self.fanOuts = fanOuts
        self.metrics = metrics
        self.logger = logger
        self.recentCapacity = recentCapacity
        self.isInternal = isInternal
    }

    /// How many events the replay ring holds.
    var replayCapacity: Int { ring.capacity }

    /// The pipeline's transforms, for starting and stopping them.
    var transforms: [Pipeline.Step] { pipeline.steps }

    /// Runs events through the pipeline from step `fromStep` and publishes what comes out.
    ///
    /// A transform's `TransformContext.emit` lands here from the transform's own timer or
    /// thread. The lock is not reentrant: a transform must not emit from inside `process`
    /// (it appends to `output` there instead).
    func ingest(_ events: [Event], fromStep: Int = 0) {
        lock.withLock {
            var output: [Event] = []
            output.reserveCapacity(events.count)
            for event in events {
                if fromStep == 0 { metrics.pipelineIn.increment() }
                pipeline.run(event, from: fromStep, into: &output) { step in metrics.dropped(reason: step) }
            }
            for event in output { publishLocked(event) }
        }
    }

    private func publishLocked(_ event: Event) {
        lastSequence += 1
        var stamped = event
        stamped.id = stamper.id(for: event, sequence: lastSequence)
        // The server, not an upstream, tells its clients when to reconnect.
        stamped.retry = nil
        let published = PublishedEvent(
            sequence: lastSequence, id: stamped.id, type: stamped.type, bytes: WireFormat.encode(stamped, allocator: allocator))
        ring.append(published)
        if recentCapacity > 0 {
            if recent.count == recentCapacity { recent.removeFirst() }
            recent.append(RecentEvent(id: stamped.id, type: stamped.type, data: stamped.data))
        }
        metrics.published.increment()
        for fanOut in fanOuts where fanOut.subscriberCount > 0 {
            fanOut.enqueue(published)
        }
    }

    /// What a new client starts with: the events to replay and where live delivery picks up.
    struct Subscription {
        let fanOut: LoopFanOut
        let resume: ResumePoint
        let replay: [PublishedEvent]
        /// Every event up to this sequence is either in `replay` or predates the client.
        let startAfter: UInt64
    }

    /// Registers a client of `loop` and returns its replay; call on `loop`, then add the
    /// client to the returned fan-out before returning to the loop (see ``LoopFanOut``).
    func subscribe(on loop: any EventLoop, lastEventID: String?, replayLatest: Bool = false) -> Subscription {
        let fanOut = fanOuts.first { $0.loop === loop } ?? fanOuts[0]
        return lock.withLock {
            var resume = ResumePoint.resolve(lastEventID, stamper: stamper, ring: ring, lastSequence: lastSequence)
            if replayLatest { resume = .allHeld }
            let replay: [PublishedEvent]
            switch resume {
            case .live, .notHeld: replay = []
            case .allHeld: replay = Array(ring.held)
            case .after(let sequence): replay = ring.events(after: sequence)
            }
            fanOut.subscriberCount += 1
            return Subscription(fanOut: fanOut, resume: resume, replay: replay, startAfter: lastSequence)
        }
    }

    /// Forgets a client registered by ``subscribe(on:lastEventID:replayLatest:)``.
    func unsubscribe(from fanOut: LoopFanOut) {
        lock.withLock { fanOut.subscriberCount -= 1 }
    }

    /// Clients streaming from this endpoint now.
    var clientCount: Int {
        lock.withLock { fanOuts.reduce(0) { $0 + $1.subscriberCount } }
    }

    /// A snapshot for the dashboard: events published so far and the last few.
    func snapshot() -> (published: UInt64, recent: [RecentEvent]) {
        lock.withLock { (lastSequence, Array(recent)) }
    }
}
