import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program started with `posix_spawnp`, its three standard streams connected to pipes.
///
/// The child runs in a process group of its own (so that stopping it also reaches whatever it
/// started, and a Ctrl-C in the gateway's terminal reaches it only through the gateway), with
/// the usual signal dispositions restored: the gateway ignores SIGPIPE, the program should not
/// inherit that. Every pipe end the parent keeps is close-on-exec, so programs started by other
/// endpoints never hold them open.
struct ChildProcess: Sendable {
    /// The program's process id, also its process group id.
    let pid: pid_t
    /// The write end of the program's stdin (non-blocking).
    let stdin: Int32
    /// The read end of the program's stdout.
    let stdout: Int32
    /// The read end of the program's stderr.
    let stderr: Int32

    /// Serialises pipe creation with program starts (see ``Pipe/make(flags:)``).
    static let spawnLock = NIOLock()

    /// Why a program could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    /// Starts `argv[0]` (looked up on PATH) with `argv` and the gateway's environment.
    static func spawn(_ argv: [String]) throws(SpawnError) -> ChildProcess {
        precondition(!argv.isEmpty)
        let input = try Pipe.make()
        let output: Pipe
        let errors: Pipe
        do {
            output = try Pipe.make()
        } catch {
            input.closeBoth()
            throw error
        }
        do {
            errors = try Pipe.make()
        } catch {
            input.closeBoth()
            output.closeBoth()
            throw error
        }
        let pipes = [input, output, errors]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies; the originals close at exec.
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        // Nothing else: descriptors other code opened without close-on-exec (a library's pipe
        // to its own child, a socket) must not leak into a program that lives as long as the
        // gateway, or whoever waits for their end of file would wait for this program too.
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for argument in cArguments { free(argument) } }

        var pid = pid_t()
        let result = spawnLock.withLock { posix_spawnp(&pid, cArguments[0]!, &actions, &attributes, cArguments, environ) }
        guard result == 0 else {
            for pipe in pipes { pipe.closeBoth() }
            throw SpawnError(call: "cannot start '\(argv[0])'", code: result)
        }
        close(input.read)
        close(output.write)
        close(errors.write)
        _ = fcntl(input.write, F_SETFL, fcntl(input.write, F_GETFL) | O_NONBLOCK)
        return ChildProcess(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read)
    }
}

/// Adds to `actions` the closing of every descriptor from 3 up, in the child.
///
/// glibc (2.34 and later) does it in one action, `posix_spawn_file_actions_addclosefrom_np`,
/// which Swift's Glibc module does not export, so it is looked up at run time. Without it,
/// every descriptor open now (listed in /proc/self/fd) gets a close action; one that is
/// closed before the spawn is ignored by glibc, one opened after it is not covered.
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = CloseFromLookup.symbol {
        let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
        if closeFrom(&actions, 3) == 0 { return }
    }
    guard let directory = opendir("/proc/self/fd") else { return }
    defer { closedir(directory) }
    let own = dirfd(directory)
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if let fd = Int32(name), fd > 2, fd != own {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
}

/// The run-time address of `posix_spawn_file_actions_addclosefrom_np`, when the C library has it.
private enum CloseFromLookup {
    nonisolated(unsafe) static let symbol: UnsafeMutableRawPointer? = {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(handle, "posix_spawn_file_actions_addclosefrom_np")
    }()
}

/// Both ends of a close-on-exec pipe.
struct Pipe: Sendable {
    let read: Int32
    let write: Int32

    static func make(flags: Int32 = 0) throws(ChildProcess.SpawnError) -> Pipe {
        var ends: [Int32] = [-1, -1]
        // Swift's Glibc module does not offer pipe2, so close-on-exec is set right after pipe();
        // holding the spawn lock meanwhile keeps every other exec step from starting a program
        // that would inherit the ends in between (nothing else in the gateway starts programs).
        let created = ChildProcess.spawnLock.withLock { () -> Bool in
            guard pipe(&ends) == 0 else { return false }
            for end in ends {
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                if flags != 0 { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | flags) }
            }
            return true
        }
        guard created else { throw ChildProcess.SpawnError(call: "pipe", code: errno) }
        return Pipe(read: ends[0], write: ends[1])
    }

    func closeBoth() {
        close(read)
        close(write)
    }
}

/// How a program ended, decoded from a `waitpid` status.
struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    let raw: Int32

    /// The exit code when the program exited by itself.
    var exitCode: Int32? { raw & 0x7f == 0 ? (raw >> 8) & 0xff : nil }
    /// The signal that ended it, when one did.
    var signal: Int32? {
        let signal = raw & 0x7f
        return signal != 0 && signal != 0x7f ? signal : nil
    }

    var description: String {
        if let exitCode { return "exit code \(exitCode)" }
        if let signal { return "signal \(signal)\(Self.signalNames[signal].map { " (\($0))" } ?? "")" }
        return "status \(raw)"
    }

    private static let signalNames: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT", SIGFPE: "SIGFPE",
        SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGBUS: "SIGBUS",
    ]
}
