import GatewayPlugin

/// One endpoint under ``PipelineHarness``: its pipeline, ids and channels, and what it published.
///
/// Publishing follows `EndpointStream`'s order: on a channel endpoint an event with no channel
/// is dropped first, then the event is numbered and given its id, so ids count only what was
/// published. Used on the harness's thread only.
final class HarnessEndpoint {
    let path: String
    /// The sources it reads.
    let sources: [String]
    let pipeline: Pipeline
    /// The pipeline's transforms, in step order.
    let steps: [ObservedTransform]
    private let stamper: IDStamper
    private let channelKey: EventField?
    private var sequence: UInt64 = 0
    private var output: [Event] = []
    /// What it published, in order.
    private(set) var emitted: [EmittedEvent] = []

    /// Builds the endpoint with new transforms from its steps' factories, as `gateway run` does.
    init(_ settings: EndpointSettings, epoch: UInt64) {
        path = settings.path
        sources = settings.sources
        steps = settings.pipeline.map { ObservedTransform($0.factory.make()) }
        pipeline = Pipeline(steps: zip(settings.pipeline, steps).map { Pipeline.Step(name: $0.name, transform: $1) })
        // A clustered endpoint's ids are its stream's sequence, EPOCH-N (`ids: source` is refused there).
        stamper = IDStamper(mode: settings.log == .cluster ? .sequence : settings.ids, epoch: epoch)
        channelKey = settings.channel?.key
    }

    /// Runs `events` through the pipeline from step `fromStep` and publishes what comes out.
    func run(_ events: [Event], fromStep: Int) {
        output.removeAll(keepingCapacity: true)
        for event in events {
            pipeline.run(event, from: fromStep, into: &output) { _ in }
        }
        for event in output { publish(event) }
    }

    private func publish(_ event: Event) {
        var channel: String?
        if let channelKey {
            guard let key = EndpointStream.channel(of: event, key: channelKey) else { return }
            channel = key
        }
        sequence += 1
        emitted.append(
            EmittedEvent(id: stamper.id(for: event, sequence: sequence), type: event.type, data: event.data, channel: channel))
    }
}
