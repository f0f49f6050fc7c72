import CoreMetrics
import DequeModule
import GatewayJWT
import GatewayPlugin
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One endpoint at run time: its pipeline, ids and log, and its clients on each event loop.
///
/// The endpoint runs on its own serial executor (one of the server's pipeline loops, which
/// are not the loops that write to clients). Sources hand it batches from their threads
/// through ``ingest(_:fromStep:)``, which only queues them there; the pipeline, id stamping,
/// encoding and the append to the log all run on the executor, so that state is confined
/// rather than locked, and a slow transform delays this endpoint (and any sharing its loop)
/// — never a source's reads nor a client's loop. Each published batch then goes to the
/// fan-out of every loop that has clients: one hop per loop per batch.
final class EndpointStream: @unchecked Sendable {
    /// The URL path.
    let path: String
    /// Who may read it: bearer tokens, JWTs, or anyone.
    let auth: EndpointAuth
    /// The type of the gap notice (SPEC §3), or `nil` when turned off.
    let resetEvent: String?
    /// The events published, read by every client.
    let log: any EventLog
    /// On a channel endpoint, what names each event's channel; `nil` on a broadcast one.
    let channelKey: EventField?
    /// On an endpoint with a `snapshot`, what names each event's key (``SnapshotLog``).
    let snapshotKey: EventField?
    /// On a channel endpoint, its channels (``log``, or a clustered endpoint's cache).
    var channels: Channels? { (unwrappedLog as? Channels) ?? (clusterLog?.cache as? Channels) }
    /// On a `log: cluster` endpoint, its log (under a ``SnapshotLog`` when it has a snapshot).
    var clusterLog: ClusterLog? { unwrappedLog as? ClusterLog }
    /// The log, without the ``SnapshotLog`` around it.
    private var unwrappedLog: any EventLog { (log as? SnapshotLog)?.inner ?? log }
    /// On a `log: cluster` endpoint, where the pipeline's output goes instead of the log: the
    /// lease holder's publisher to the cluster's stream. Set before any event arrives.
    private let forward: (@Sendable ([ClusterEvent]) -> Void)?
    /// The per-event-loop fan-outs, one per loop of the server's group.
    let fanOuts: [LoopFanOut]
    /// Whether this is the dashboard's built-in status stream (not a configured endpoint).
    let isInternal: Bool
    /// Where the pipeline runs.
    let executor: any EventLoop

    let metrics: EndpointMetrics
    let logger: Logger

    // Confined to `executor`.
    private var pipeline: Pipeline
    /// Counts the pipelines this endpoint has run: a transform of a pipeline that a reload
    /// replaced cannot emit into its successor's steps.
    private var generation = 0
    private let stamper: IDStamper
    private var sequence: UInt64 = 0
    private var output: [Event] = []
    private var batch: [PublishedEvent] = []
    /// On a channel endpoint, the batch's events for each loop's fan-out.
    private var routed: [[PublishedEvent]] = []
    private let allocator = ByteBufferAllocator()
    /// Per pipeline step, its drop counter, made once per pipeline.
    private var dropCounters: [Counter]
    /// On a channel endpoint, events with no channel key (`reason="no_channel"`).
    private let noChannelCounter: Counter?
    /// The timers transforms asked for (``TransformContext/repeatEvery(_:_:)``).
    private var tickers: [Ticker] = []

    /// What the dashboard shows, updated once per batch.
    private let summary = NIOLockedValueBox(Summary())
    private let recentCapacity: Int

    private struct Summary {
        var published: UInt64 = 0
        var recent: Deque<RecentEvent> = []
    }

    init(
        path: String, pipeline: Pipeline, stamper: IDStamper, log: any EventLog, channelKey: EventField? = nil, snapshotKey: EventField? = nil,
        executor: any EventLoop,
        tokens: [String]?, jwt: JWTVerifier? = nil, forward: (@Sendable ([ClusterEvent]) -> Void)? = nil,
        resetEvent: String? = "reset", fanOuts: [LoopFanOut], metrics: EndpointMetrics, logger: Logger, recentCapacity: Int = 6,
        isInternal: Bool = false
    ) {
        self.path = path
        self.pipeline = pipeline
        self.stamper = stamper
        self.log = log
        self.channelKey = channelKey
        self.snapshotKey = snapshotKey
        self.forward = forward
        self.executor = executor
        self.auth = EndpointAuth(tokens: tokens, jwt: jwt)
        self.resetEvent = resetEvent
        self.fanOuts = fanOuts
        self.metrics = metrics
        self.logger = logger
        self.recentCapacity = recentCapacity
        self.isInternal = isInternal
        self.dropCounters = pipeline.steps.map { metrics.dropCounter(step: $0.name) }
        self.noChannelCounter = channelKey == nil ? nil : metrics.dropCounter(step: "no_channel")
    }

    /// Starts every transform, on the executor, before the events queued after this call.
    ///
    /// Each gets the means to emit later (into the steps after it), to count its losses, and
    /// to run a timer on this executor, serialised with its `process`.
    func startTransforms() -> EventLoopFuture<Void> {
        executor.submit { [self] in startTransformsHere() }
    }

    /// Replaces the pipeline (a reload, SPEC §8), on the executor: between two events, so an
    /// event runs wholly through the old steps or wholly through the new. The old transforms'
    /// timers stop, then the transforms; the new ones start before the next event. Clients,
    /// ids and the log are untouched. The new transforms are made there too, from `steps`.
    func replacePipeline(with steps: [EndpointSettings.Step]) -> EventLoopFuture<Void> {
        executor.submit { [self] in
            let steps = steps.map { Pipeline.Step(name: $0.name, transform: $0.factory.make()) }
            for ticker in tickers { ticker.stop() }
            tickers.removeAll()
            for step in pipeline.steps { step.transform.stop() }
            generation += 1
            pipeline = Pipeline(steps: steps)
            dropCounters = steps.map { metrics.dropCounter(step: $0.name) }
            startTransformsHere()
        }
    }

    private func startTransformsHere() {
        let generation = self.generation
        for (index, step) in pipeline.steps.enumerated() {
            var stepLogger = logger
            stepLogger[metadataKey: "transform"] = "\(step.name)"
            let name = step.name
            step.transform.start(
                TransformContext(
                    endpoint: path, logger: stepLogger,
                    // Weak: the transform keeps its context, and the endpoint keeps the transform.
                    emit: { [weak self] events in self?.ingest(events, fromStep: index + 1, generation: generation) },
                    dropped: { [metrics] reason, count in metrics.dropped(reason: "\(name):\(reason)", count: count) },
                    repeatEvery: { [weak self, executor] interval, tick in
                        executor.execute { [weak self] in
                            guard let self, self.generation == generation else { return }
                            let ticker = Ticker(loop: executor, interval: TimeAmount(interval), tick: tick)
                            tickers.append(ticker)
                            ticker.start()
                        }
                    }))
        }
    }

    /// Stops the transforms' timers, then the transforms, on the executor.
    func stopTransforms() -> EventLoopFuture<Void> {
        executor.submit { [self] in
            for ticker in tickers { ticker.stop() }
            tickers.removeAll()
            for step in pipeline.steps { step.transform.stop() }
        }
    }

    /// The fan-out of `loop` (a client's own loop).
    func fanOut(on loop: any EventLoop) -> LoopFanOut {
        fanOuts.first { $0.loop === loop } ?? fanOuts[0]
    }

    /// Queues events to run through the pipeline from step `fromStep`, in the order of the
    /// calls. Thread-safe; returns at once.
    ///
    /// A transform's `TransformContext.emit` lands here too, from its own timer or thread.
    /// - Parameter arrival: when the events arrived at the gateway (the start of
    ///   `gateway_delivery_seconds`); a source's batch is stamped once for all its endpoints.
    func ingest(_ events: [Event], fromStep: Int = 0, arrival: NIODeadline = .now()) {
        guard !events.isEmpty else { return }
        executor.execute { self.process(events, fromStep: fromStep, arrival: arrival) }
    }

    /// What a transform emits: dropped when its pipeline has been replaced since it started.
    private func ingest(_ events: [Event], fromStep: Int, generation: Int) {
        guard !events.isEmpty else { return }
        let arrival = NIODeadline.now()
        executor.execute {
            guard self.generation == generation else { return }
            self.process(events, fromStep: fromStep, arrival: arrival)
        }
    }

    /// Runs on the executor once everything ingested before it has been published.
    func afterPublishing() -> EventLoopFuture<Void> {
        executor.submit {}
    }

    private func process(_ events: [Event], fromStep: Int, arrival: NIODeadline) {
        if fromStep == 0 { metrics.pipelineIn.increment(by: events.count) }
        output.removeAll(keepingCapacity: true)
        for event in events {
            pipeline.run(event, from: fromStep, into: &output) { step in dropCounters[step].increment() }
        }
        guard !output.isEmpty else { return }
        if let forward {
            forward(clusterEvents())
            return
        }
        batch.removeAll(keepingCapacity: true)
        if let channelKey {
            // Events with no channel are dropped, and leave `output` (the dashboard's recent events).
            var kept = 0
            for index in output.indices {
                guard let channel = Self.channel(of: output[index], key: channelKey) else {
                    noChannelCounter?.increment()
                    continue
                }
                var event = publish(&output[index], arrival: arrival)
                event.channel = channel
                batch.append(event)
                if kept != index { output[kept] = output[index] }
                kept += 1
            }
            output.removeLast(output.count - kept)
            guard !batch.isEmpty else { return }
        } else {
            for index in output.indices { batch.append(publish(&output[index], arrival: arrival)) }
        }
        publishBatch()
    }

    /// Events a clustered endpoint's stream delivered (on an engine thread): into the log and
    /// out to the clients, in stream order. Returns at once.
    ///
    /// Their arrival (for `gateway_delivery_seconds`) is this call: the time the stream took to
    /// bring them from the lease holder is not counted, since another machine's clock cannot be
    /// compared with this one's monotonic clock.
    func deliver(_ messages: [StoredMessage], epoch: UInt64) {
        guard !messages.isEmpty else { return }
        let arrival = NIODeadline.now()
        executor.execute { [self] in
            batch.removeAll(keepingCapacity: true)
            output.removeAll(keepingCapacity: true)
            // Only the last few are shown on the dashboard: only they are kept as events.
            let shown = messages.count - recentCapacity
            for (index, message) in messages.enumerated() {
                var event = message.published(epoch: epoch, allocator: allocator)
                event.arrival = arrival
                if let snapshotKey {
                    event.snapshotKey = Self.channel(of: Event(id: message.sourceID, event: message.type, data: message.data), key: snapshotKey)
                }
                sequence = message.sequence
                batch.append(event)
                if index >= shown { output.append(Event(id: event.id, event: message.type, data: message.data)) }
            }
            publishBatch()
        }
    }

    /// The pipeline's output as a clustered endpoint publishes it: each event with its channel
    /// (events with none are dropped and counted, as on any channel endpoint).
    private func clusterEvents() -> [ClusterEvent] {
        var events: [ClusterEvent] = []
        events.reserveCapacity(output.count)
        for event in output {
            var channel: String?
            if let channelKey {
                channel = Self.channel(of: event, key: channelKey)
                if channel == nil {
                    noChannelCounter?.increment()
                    continue
                }
            }
            events.append(ClusterEvent(event: event, channel: channel))
        }
        return events
    }

    /// Appends ``batch`` to the log and hands it to the fan-outs. On the executor.
    private func publishBatch() {
        log.append(batch, routingInto: &routed)
        metrics.published.increment(by: batch.count)
        if recentCapacity > 0 {
            let recent = output.suffix(recentCapacity).map { RecentEvent(id: $0.id, type: $0.type, data: $0.data) }
            summary.withLockedValue { summary in
                summary.published = sequence
                summary.recent.append(contentsOf: recent)
                while summary.recent.count > recentCapacity { summary.recent.removeFirst() }
            }
        } else {
            summary.withLockedValue { $0.published = sequence }
        }
        if channelKey != nil {
            for index in routed.indices where !routed[index].isEmpty {
                fanOuts[index].enqueue(routed[index])
                routed[index].removeAll(keepingCapacity: true)
            }
        } else {
            for fanOut in fanOuts { fanOut.enqueue(batch) }
        }
    }

    /// The channel an event goes to (or its snapshot key): the field `key` names when that is
    /// a non-empty string or a number (as written), else `nil` (SPEC §2 "Channels").
    static func channel(of event: Event, key: EventField) -> String? {
        if case .dataPath(let path) = key {
            // One field of the data: found without building the whole document.
            switch ParsedData.lookup(path, in: event.data) {
            case .string(let text): return text.isEmpty ? nil : text
            case .number(let text): return text
            case .notJSON, .missing, .other: return nil
            }
        }
        switch key.value(in: event) {
        case .text(let text): return text.isEmpty ? nil : text
        case .json(.string(let text)): return text.isEmpty ? nil : text
        case .json(.number(let text)): return text
        case .json, .missing, .notJSON: return nil
        }
    }

    /// Stamps (in place) and encodes one event that left the pipeline.
    private func publish(_ event: inout Event, arrival: NIODeadline) -> PublishedEvent {
        sequence += 1
        // The key is the event's own (its source's id, with `key: id`), before it is stamped.
        let key = snapshotKey.flatMap { Self.channel(of: event, key: $0) }
        event.id = stamper.id(for: event, sequence: sequence)
        // The server, not an upstream, tells its clients when to reconnect.
        event.retry = nil
        let (chunk, offset) = ChunkFraming.encode(event, allocator: allocator)
        return PublishedEvent(
            sequence: sequence, id: event.id, type: event.type, chunk: chunk, payloadOffset: offset, snapshotKey: key, arrival: arrival)
    }

    /// Clients streaming from this endpoint now.
    var clientCount: Int {
        fanOuts.reduce(0) { $0 + $1.subscriberCount }
    }

    /// A snapshot for the dashboard: events published so far and the last few.
    func snapshot() -> (published: UInt64, recent: [RecentEvent]) {
        summary.withLockedValue { ($0.published, Array($0.recent)) }
    }
}
