import GatewayConfig
import GatewayPlugin
import Logging
import NATS
import NATSSource
import TestSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Skips a test that needs a `nats-server` when none is installed (scripts/bootstrap.sh installs it).
    static var needsNATSServer: Self {
        .enabled(if: NATSServerProcess.isInstalled, "nats-server is not installed (scripts/bootstrap.sh installs it)")
    }
}

/// A connection to `server` for a test to publish with.
func publisher(_ server: NATSServerProcess) throws -> NATSConnection {
    try NATSConnection(options: NATSOptions(urls: [server.url], reconnectWait: .milliseconds(20), maxReconnectWait: .milliseconds(200)))
}

/// A `nats` source made from `yaml` (its options, without `type`), as `gateway.yaml` would make it.
func natsSource(_ yaml: String, shared: SharedConfig = SharedConfig()) throws -> NATSSource {
    let source = try NATSSource.plugin.make(yaml: yaml, shared: shared).get()
    return try #require(source as? NATSSource)
}

/// A source running in a task of its own, reporting to a ``RecordingOutput``.
final class SourceUnderTest: Sendable {
    let recording = RecordingOutput()
    let task: Task<SourceCompletion, any Error>
    private let emits = Locked(0)

    init(_ source: NATSSource, name: String = "test", maxEventSize: Int = 1 << 20) {
        let recorded = recording.output
        let emits = emits
        // The recording's output, counting the calls to `emit` (how events were batched).
        let output = SourceOutput(
            emit: { events in
                emits.withLock { $0 += 1 }
                recorded.emit(events)
            },
            ready: { recorded.markReady() }, dropped: { recorded.dropped(reason: $0, count: $1) },
            reconnecting: { recorded.reconnecting(reason: $0) })
        let context = SourceContext(name: name, logger: Logger(label: "test.\(name)"), maxEventSize: maxEventSize, output: output)
        task = Task { try await source.run(context) }
    }

    /// How many times the source called `emit`.
    var batches: Int { emits.withLock { $0 } }

    /// Waits until the source says it is ready.
    func ready() async -> Bool {
        await eventually(seconds: TestTiming.seconds(10)) { recording.readyCount > 0 }
    }

    /// Waits until `count` events arrived (or 10 s passed); the events.
    func events(count: Int) async -> [Event] {
        _ = await eventually(seconds: TestTiming.seconds(10)) { recording.events.count >= count }
        return recording.events
    }

    /// Cancels the source and waits for its `run` to return.
    func stop() async throws -> SourceCompletion {
        task.cancel()
        return try await task.value
    }
}

/// Publishes to a JetStream stream and waits for the ack.
func publish(_ nats: NATSConnection, _ subject: String, _ payload: String, headers: [NATSHeader] = []) async throws {
    let result = await withCheckedContinuation { continuation in
        nats.publish(JetStreamPublish(subject: subject, headers: headers, payload: Array(payload.utf8))) { continuation.resume(returning: $0) }
    }
    _ = try result.get()
}
