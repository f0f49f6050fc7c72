import NIOConcurrencyHelpers
import ServiceLifecycle

/// The sources as one service: they start with the group and stop first when it stops (it is
/// listed last), and a reload (SPEC §8) starts new sources and stops removed or changed ones
/// while the others run on.
///
/// Every source runs in a task made inside ``run()``, so it sees the group's graceful shutdown
/// as a source always has; a reload asks for starts and stops through ``start(_:)`` and
/// ``stop(_:)``, which this service carries out in the order asked.
final class SourceSupervisor: Service, Sendable {
    private enum Command: Sendable {
        case start(RunningSource)
        case stop(RunningSource, done: @Sendable () -> Void)
    }

    private let initial: [RunningSource]
    private let commands: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation

    init(sources: [RunningSource]) {
        initial = sources
        (commands, continuation) = AsyncStream.makeStream()
    }

    /// Starts `source` (no-op once the gateway is stopping).
    func start(_ source: RunningSource) {
        continuation.yield(.start(source))
    }

    /// Stops `source` and returns once its plugin has returned (at once when the gateway is
    /// stopping anyway).
    func stop(_ source: RunningSource) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            if case .terminated = continuation.yield(.stop(source, done: { done.resume() })) { done.resume() }
        }
    }

    func run() async {
        // The sources' tasks are not this task's children: a cancelled group (one service
        // failed) cancels them here, as it would cancel services of its own.
        let running = NIOLockedValueBox<[ObjectIdentifier: Task<Void, Never>]>([:])
        await withTaskCancellationHandler {
            for source in initial { running.withLockedValue { $0[ObjectIdentifier(source)] = Task { await source.run() } } }
            await withGracefulShutdownHandler {
                for await command in commands {
                    switch command {
                    case .start(let source):
                        let task = Task { await source.run() }
                        running.withLockedValue { $0[ObjectIdentifier(source)] = task }
                    case .stop(let source, let done):
                        if let task = running.withLockedValue({ $0.removeValue(forKey: ObjectIdentifier(source)) }) {
                            task.cancel()
                            await task.value
                        }
                        done()
                    }
                }
            } onGracefulShutdown: { [continuation] in
                continuation.finish()
            }
            // Each source has seen the graceful shutdown too: wait until every one has returned.
            for task in running.withLockedValue({ Array($0.values) }) { await task.value }
        } onCancel: { [continuation] in
            continuation.finish()
            for task in running.withLockedValue({ Array($0.values) }) { task.cancel() }
        }
    }
}
