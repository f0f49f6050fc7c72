import GatewayPlugin
import Logging
import Synchronization
import Testing
import TestSupport

@testable import ExecTransform

/// What an exec step did: the events it emitted, what it dropped by reason, what it logged.
final class Recorder: Sendable {
    private let events = Locked<[Event]>([])
    private let drops = Locked<[String: Int]>([:])
    let log = LogRecords()

    var emitted: [Event] { events.withLock { $0 } }
    func dropped(_ reason: String) -> Int { drops.withLock { $0[reason, default: 0] } }

    func context() -> TransformContext {
        let log = self.log
        return TransformContext(
            endpoint: "/test", logger: Logger(label: "exec-test") { _ in RecordingLogHandler(records: log) },
            emit: { batch in self.events.withLock { $0 += batch } },
            dropped: { reason, count in self.drops.withLock { $0[reason, default: 0] += count } },
            repeatEvery: { _, _ in Issue.record("exec runs no timer") })
    }
}

/// Polls `condition` every few milliseconds for at most `limit`; whether it came true.
func eventually(within limit: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// An exec step for `command`, with quick restarts and a short stop grace for tests.
func execStep(
    _ command: ExecCommand, queue: Int = 1000, restart: (Duration, Duration) = (.milliseconds(10), .milliseconds(40)),
    grace: Duration = .seconds(2)
) -> ExecTransform {
    ExecTransform(
        configuration: ExecConfiguration(
            command: command, queueCapacity: queue, restartInitial: restart.0, restartMax: restart.1, maxLine: 1 << 20, stopGrace: grace))
}

extension ExecTransform {
    /// Feeds events one by one, discarding what `process` returns at once (exec returns nothing).
    func feed(_ events: [Event]) {
        var output: [Event] = []
        for event in events { process(event, into: &output) }
        precondition(output.isEmpty)
    }
}
