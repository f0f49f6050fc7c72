import GatewayPlugin
import Logging
import Synchronization

/// A ``SourceOutput`` that remembers everything a source reports, for assertions.
public final class RecordingOutput: Sendable {
    private let state = Locked(State())

    private struct State {
        var events: [Event] = []
        var batches = 0
        var readyCount = 0
        var drops: [String] = []
        var reconnects: [String] = []
    }

    public init() {}

    /// The output to put in a ``SourceContext``.
    public var output: SourceOutput {
        SourceOutput(
            emit: { events in self.state.withLock { $0.events += events; $0.batches += 1 } },
            ready: { self.state.withLock { $0.readyCount += 1 } },
            dropped: { reason, count in self.state.withLock { $0.drops += Array(repeating: reason, count: count) } },
            reconnecting: { reason in self.state.withLock { $0.reconnects.append(reason) } }
        )
    }

    /// A context named `name` that reports here.
    public func context(name: String = "test", maxEventSize: Int = 1 << 20) -> SourceContext {
        SourceContext(name: name, logger: Logger(label: "test.\(name)"), maxEventSize: maxEventSize, output: output)
    }

    /// Events emitted so far, in order.
    public var events: [Event] { state.withLock { $0.events } }
    /// How many times the source said it was ready.
    public var readyCount: Int { state.withLock { $0.readyCount } }
    /// Drop reasons, one entry per dropped event.
    public var drops: [String] { state.withLock { $0.drops } }
    /// Reconnect reasons, in order.
    public var reconnects: [String] { state.withLock { $0.reconnects } }
}

/// Polls `condition` every 5 ms for up to `seconds`; whether it became true.
public func eventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
