import GatewayPlugin
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ExecTransform {
    /// The supervisor thread: reads the program's stdout and stderr, notices when it exits,
    /// restarts it with backoff, and on stop() terminates and reaps it.
    func runSupervisor(first: ChildProcess?, context: TransformContext, stopping: Wakeup) {
        var child = first
        var delay = configuration.restartInitial
        let clock = ContinuousClock()
        if child == nil {
            // The first start failed (and was logged): wait before the next attempt.
            guard sleep(for: delay, orWakeup: stopping) else { return }
            delay = min(delay * 2, configuration.restartMax)
        }
        while true {
            if child == nil { child = launch(context) }
            guard let running = child else {
                guard sleep(for: delay, orWakeup: stopping) else { return }
                delay = min(delay * 2, configuration.restartMax)
                continue
            }
            let started = clock.now
            let outcome = pump(running, context: context, stopping: stopping)
            child = nil
            switch outcome {
            case .stopping:
                let status = terminate(running, context: context)
                closeOutputs(running)
                markDown(context)
                let described = status.map { "\($0)" } ?? "unknown"
                context.logger.info("exec program stopped", metadata: ["exec.pid": "\(running.pid)", "exec.status": "\(described)"])
                return
            case .exited(let status):
                // Whatever the program left behind in its process group goes with it.
                kill(-running.pid, SIGKILL)
                closeOutputs(running)
                markDown(context)
                if started.duration(to: clock.now) >= configuration.restartMax { delay = configuration.restartInitial }
                context.logger.warning(
                    "exec program exited; restarting",
                    metadata: [
                        "exec.pid": "\(running.pid)", "exec.status": "\(status)", "exec.restart_in": "\(Units.describe(delay))",
                    ])
                guard sleep(for: delay, orWakeup: stopping) else { return }
                delay = min(delay * 2, configuration.restartMax)
            }
        }
    }

    enum PumpOutcome {
        case exited(ExitStatus)
        case stopping
    }

    /// Reads the program's output until it exits or stop() is called.
    private func pump(_ child: ChildProcess, context: TransformContext, stopping: Wakeup) -> PumpOutcome {
        var output = OutputReader(context: context, maxLine: configuration.maxLine, pid: child.pid)
        var errors = LineSplitter(maxLine: 16 * 1024)
        var stdoutOpen = true
        var stderrOpen = true
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var fds = [pollfd(fd: stopping.readFD, events: Int16(POLLIN), revents: 0)]
            if stdoutOpen { fds.append(pollfd(fd: child.stdout, events: Int16(POLLIN), revents: 0)) }
            if stderrOpen { fds.append(pollfd(fd: child.stderr, events: Int16(POLLIN), revents: 0)) }
            // With both streams open the program's exit shows as end of file; the timeout only
            // catches a program that exited while something it started still holds them.
            let timeout: Int32 = stdoutOpen || stderrOpen ? 1000 : 20
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 {
                if errno != EINTR {
                    // Not expected (EINVAL, ENOMEM); keep supervising rather than spin.
                    context.logger.error("exec cannot poll its program's output", metadata: ["errno": "\(errno)"])
                    usleep(100_000)
                }
                continue
            }
            if fds[0].revents != 0 { return .stopping }
            for index in fds.indices.dropFirst() where fds[index].revents != 0 {
                let fd = fds[index].fd
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                let isStdout = fd == child.stdout
                if count <= 0 {
                    if isStdout {
                        stdoutOpen = false
                        output.finish()
                    } else {
                        stderrOpen = false
                        errors.finish { logStderr($0, context: context, pid: child.pid) }
                    }
                    continue
                }
                buffer.withUnsafeBytes { bytes in
                    let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                    if isStdout {
                        output.feed(chunk)
                    } else {
                        errors.feed(chunk) { logStderr($0, context: context, pid: child.pid) }
                    }
                }
            }
            if ready == 0 || (!stdoutOpen && !stderrOpen) {
                if let status = reap(child.pid, wait: false) { return .exited(status) }
            }
        }
    }

    private func logStderr(_ piece: LineSplitter.Piece, context: TransformContext, pid: pid_t) {
        switch piece {
        case .line(let bytes):
            guard !bytes.isEmpty else { return }
            context.logger.warning(
                "exec program stderr", metadata: ["exec.pid": "\(pid)", "exec.stderr": "\(String(decoding: bytes, as: UTF8.self))"])
        case .tooLong:
            context.logger.warning("exec program stderr: a line over 16KiB was skipped", metadata: ["exec.pid": "\(pid)"])
        }
    }

    /// SIGTERM to the program's process group; SIGKILL after the grace; the exit status once reaped.
    private func terminate(_ child: ChildProcess, context: TransformContext) -> ExitStatus? {
        kill(-child.pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.stopGrace
        while clock.now < deadline {
            if let status = reap(child.pid, wait: false) {
                kill(-child.pid, SIGKILL)
                return status
            }
            usleep(5_000)
        }
        context.logger.warning(
            "exec program ignored SIGTERM; sending SIGKILL", metadata: ["exec.pid": "\(child.pid)"])
        kill(-child.pid, SIGKILL)
        return reap(child.pid, wait: true)
    }

    /// The program's exit status once it has exited (and is reaped), or `nil` while it runs.
    private func reap(_ pid: pid_t, wait: Bool) -> ExitStatus? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, wait ? 0 : WNOHANG)
            if result == pid { return ExitStatus(raw: status) }
            if result < 0 && errno == EINTR { continue }
            // ECHILD would mean someone else reaped it; either way it is gone.
            if result < 0 { return ExitStatus(raw: -1) }
            return nil
        }
    }

    private func closeOutputs(_ child: ChildProcess) {
        close(child.stdout)
        close(child.stderr)
    }
}

/// Turns the program's stdout into events, in batches of one read each.
struct OutputReader {
    let context: TransformContext
    let pid: pid_t
    private var lines: LineSplitter
    private var loggedInvalid = 0
    static let invalidLinesLogged = 10

    init(context: TransformContext, maxLine: Int, pid: pid_t) {
        self.context = context
        self.pid = pid
        self.lines = LineSplitter(maxLine: maxLine)
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        var events: [Event] = []
        var invalid: [String] = []
        lines.feed(chunk) { Self.classify($0, events: &events, invalid: &invalid) }
        deliver(events, invalid)
    }

    mutating func finish() {
        var events: [Event] = []
        var invalid: [String] = []
        lines.finish { Self.classify($0, events: &events, invalid: &invalid) }
        deliver(events, invalid)
    }

    private static func classify(_ piece: LineSplitter.Piece, events: inout [Event], invalid: inout [String]) {
        switch piece {
        case .tooLong:
            invalid.append("a line longer than max_line")
        case .line(let bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            switch NDJSON.event(fromLine: bytes) {
            case .success(let event): events.append(event)
            case .failure(let rejection):
                let preview = String(decoding: bytes.prefix(200), as: UTF8.self)
                invalid.append("\(rejection): \(preview)")
            }
        }
    }

    private mutating func deliver(_ events: [Event], _ invalid: [String]) {
        context.emit(events)
        guard !invalid.isEmpty else { return }
        context.dropped(reason: "invalid_output", count: invalid.count)
        for reason in invalid where loggedInvalid < Self.invalidLinesLogged {
            loggedInvalid += 1
            let more = loggedInvalid == Self.invalidLinesLogged ? " (further ones from this run are only counted)" : ""
            context.logger.warning(
                "exec program printed a line that is not an event\(more)", metadata: ["exec.pid": "\(pid)", "exec.line": "\(reason)"])
        }
    }
}
