import GatewayPlugin
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `- exec: { command: ["python3", "redact.py"], queue: 10000, restart: { initial: 1s, max: 30s } }`
/// — pipes the endpoint's events through a program of the user's, in any language.
///
/// The program starts once per endpoint, when the gateway starts. Each event goes to its stdin
/// as one line of JSON, `{"event":"quote","id":"7","data":"{\"symbol\":\"ACME\"}"}` (`event`
/// and `id` are `null` when the event has none; `data` is always a string). Every line the
/// program prints on stdout that is a JSON object with `data` (and optionally `event`, `id`) is
/// an event that continues down the pipeline — zero, one or many per input, whenever it likes;
/// a `data` that is not a string is sent as its compact JSON. Anything else it prints on stdout
/// is logged and counted as dropped (`invalid_output`). Its stderr goes to the gateway's log,
/// line by line.
///
/// ``process(_:into:)`` never blocks: events wait in a queue of `queue` events for a writer
/// thread; when the queue is full, or while the program is down, they are dropped and counted
/// (`exec_queue_full`, `exec_down`). A program that exits or crashes is restarted after
/// `restart.initial`, doubling up to `restart.max` while it keeps failing; each exit is logged
/// with its status. On shutdown it gets SIGTERM, then SIGKILL after a short grace, and is reaped.
public final class ExecTransform: Transform, Sendable {
    let configuration: ExecConfiguration
    let state = NIOLockedValueBox(State())
    /// Rung to stop every thread of this step (level-triggered: never drained).
    private let stopping: Wakeup?
    /// Rung when the writer is idle and has something to do.
    private let doorbell: Wakeup?

    /// Where the step is in its life.
    enum Phase {
        case created, running, stopping, stopped
    }

    /// What `process`, the writer thread and the supervisor thread share.
    struct State {
        var phase = Phase.created
        var context: TransformContext?
        /// Events waiting for the writer.
        var queue: [Event] = []
        /// Whether a program is up to receive events.
        var accepting = false
        /// The writer found nothing to do and waits for the doorbell.
        var writerIdle = false
        /// Bumped whenever the program starts or goes down, so the writer picks up the change.
        var generation = 0
        /// The current program's stdin, or -1 while it is down.
        var stdin: Int32 = -1
        /// Whether the writer has taken `stdin` over (and will close it).
        var stdinClaimed = true
        /// The current program's process id.
        var pid: pid_t?
        var threads: [pthread_t] = []
    }

    init(configuration: ExecConfiguration) {
        self.configuration = configuration
        self.stopping = Wakeup.make()
        self.doorbell = Wakeup.make()
    }

    deinit {
        stopping?.close()
        doorbell?.close()
    }

    /// The plugin entry for the registry.
    public static let plugin = TransformPlugin(
        name: "exec", summary: "pipes events through a program of yours as NDJSON on its stdin and stdout", options: options
    ) { prepare($0) }

    /// The options ``ExecConfiguration`` reads: what `gateway plugins exec` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec(
            "command", .shape("list or string"), default: .required,
            "a list — the program and its arguments, the program found on `PATH` unless it holds a `/` (`gateway check` "
                + "reports a program it cannot find) — or a string, run by `/bin/sh -c`"),
        OptionSpec(
            "queue", .int(1...10_000_000), default: "10000",
            "events waiting to be written to the program; beyond it events are dropped and counted"),
        OptionSpec(
            "restart",
            [
                OptionSpec("initial", .duration(minimum: .milliseconds(1)), default: "1s", "delay before restarting a program that exited"),
                OptionSpec(
                    "max", .duration(minimum: .milliseconds(1)), default: "30s",
                    "the delay doubles after each exit up to this; a run that lasted at least this long resets it to `initial`"),
            ]),
        OptionSpec("max_line", .size(minimum: 64), default: "1MiB", "a longer line on stdout is skipped and counted as `invalid_output`"),
    ]

    static func prepare(_ options: OptionsReader, stopGrace: Duration? = nil) -> TransformFactory? {
        guard var configuration = ExecConfiguration.read(options) else { return nil }
        if let stopGrace { configuration.stopGrace = stopGrace }
        let summary =
            "exec \(configuration.command) (queue \(configuration.queueCapacity), restart "
            + "\(Units.describe(configuration.restartInitial))…\(Units.describe(configuration.restartMax)))"
        return TransformFactory(summary: summary) { [configuration] in ExecTransform(configuration: configuration) }
    }

    // MARK: Hot path

    public func process(_ event: Event, into output: inout [Event]) {
        enum Admission { case queued(ringDoorbell: Bool), full, down }
        let (admission, context) = state.withLockedValue { state -> (Admission, TransformContext?) in
            guard state.accepting else { return (.down, state.context) }
            guard state.queue.count < configuration.queueCapacity else { return (.full, state.context) }
            state.queue.append(event)
            let idle = state.writerIdle
            state.writerIdle = false
            return (.queued(ringDoorbell: idle), nil)
        }
        switch admission {
        case .queued(let ringDoorbell): if ringDoorbell { doorbell?.ring() }
        case .full: context?.dropped(reason: "exec_queue_full", count: 1)
        case .down: context?.dropped(reason: "exec_down", count: 1)
        }
    }

    // MARK: Life cycle

    /// Starts the program and the threads that feed it and read it.
    /// Events come back from the program, so an empty result is not a drop; losses are counted
    /// as `exec_queue_full`, `exec_down` and `invalid_output`.
    public var holdsEvents: Bool { true }

    public func start(_ context: TransformContext) {
        // Writing to a pipe whose reader is gone must fail with EPIPE, not kill the gateway.
        signal(SIGPIPE, SIG_IGN)
        let proceed = state.withLockedValue { state -> Bool in
            guard state.phase == .created else { return false }
            state.phase = .running
            state.context = context
            return true
        }
        guard proceed else { return }
        guard let stopping, let doorbell else {
            context.logger.error("exec cannot start: no pipe for its wakeups (too many open files?)")
            return
        }
        let first = launch(context)
        var threads: [pthread_t] = []
        if let writer = startThread({ self.runWriter(stopping: stopping, doorbell: doorbell) }) {
            threads.append(writer)
        }
        if let supervisor = startThread({ self.runSupervisor(first: first, context: context, stopping: stopping) }) {
            threads.append(supervisor)
        } else if let first {
            // Nobody would ever stop or reap it.
            kill(-first.pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(first.pid, &status, 0) < 0 && errno == EINTR {}
            for fd in [first.stdout, first.stderr] { close(fd) }
            markDown(context)
        }
        if threads.count < 2 { context.logger.error("exec cannot start its threads; events will be dropped as exec_down") }
        state.withLockedValue { $0.threads = threads }
    }

    /// Terminates the program (SIGTERM, then SIGKILL after a grace), reaps it and joins the
    /// threads. Blocks for at most the grace and a little more. Events still queued are dropped
    /// and counted (`exec_down`).
    public func stop() {
        let (threads, queued, context) = state.withLockedValue { state -> ([pthread_t], Int, TransformContext?) in
            guard state.phase == .running else {
                state.phase = .stopped
                return ([], 0, nil)
            }
            state.phase = .stopping
            state.accepting = false
            let queued = state.queue.count
            state.queue.removeAll()
            return (state.threads, queued, state.context)
        }
        if queued > 0 { context?.dropped(reason: "exec_down", count: queued) }
        stopping?.ring()
        for thread in threads { joinThread(thread) }
        // The context stays: events that still arrive are counted as `exec_down`.
        state.withLockedValue { state in
            state.phase = .stopped
            state.threads = []
        }
    }

    /// The running program's process id, for tests.
    var currentPID: pid_t? { state.withLockedValue { $0.pid } }

    /// Whether the step is between ``start(_:)`` and ``stop()``.
    var isStopping: Bool { state.withLockedValue { $0.phase != .running } }

    // MARK: Shared state changes

    /// Starts the program and makes it the one events go to; `nil` when it could not start.
    func launch(_ context: TransformContext) -> ChildProcess? {
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(configuration.command.argv)
        } catch {
            context.logger.error(
                "exec program could not start", metadata: ["exec.command": "\(configuration.command)", "error": "\(error)"])
            return nil
        }
        let ring = state.withLockedValue { state -> Bool in
            if !state.stdinClaimed && state.stdin >= 0 { close(state.stdin) }
            state.generation += 1
            state.stdin = child.stdin
            state.stdinClaimed = false
            state.pid = child.pid
            state.accepting = state.phase == .running
            let idle = state.writerIdle
            state.writerIdle = false
            return idle
        }
        if ring { doorbell?.ring() }
        context.logger.info("exec program started", metadata: ["exec.command": "\(configuration.command)", "exec.pid": "\(child.pid)"])
        return child
    }

    /// Marks the program down: new events are refused, queued ones dropped and counted.
    func markDown(_ context: TransformContext) {
        let (dropped, ring) = state.withLockedValue { state -> (Int, Bool) in
            let dropped = state.queue.count
            state.queue.removeAll()
            state.accepting = false
            state.pid = nil
            if !state.stdinClaimed && state.stdin >= 0 { close(state.stdin) }
            state.stdin = -1
            state.stdinClaimed = true
            state.generation += 1
            let idle = state.writerIdle
            state.writerIdle = false
            return (dropped, idle)
        }
        if ring { doorbell?.ring() }
        if dropped > 0 { context.dropped(reason: "exec_down", count: dropped) }
    }

    /// What the writer does next.
    enum WriterStep {
        case stop
        case switchTo(generation: Int, stdin: Int32)
        case write
        case wait
    }

    /// Decides the writer's next step; on `.write`, swaps the queued events into `batch`.
    func nextWriterStep(generation: Int, stdin: Int32, batch: inout [Event]) -> WriterStep {
        state.withLockedValue { state in
            if state.phase != .running { return .stop }
            if state.generation != generation {
                state.stdinClaimed = true
                return .switchTo(generation: state.generation, stdin: state.stdin)
            }
            if stdin >= 0 && !state.queue.isEmpty {
                swap(&state.queue, &batch)
                return .write
            }
            state.writerIdle = true
            return .wait
        }
    }
}
