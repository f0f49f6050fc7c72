import Foundation

/// Children that die with the test process.
///
/// A test stops what it starts by pid, but a test process that crashes or is killed runs no
/// cleanup: its gateways, origins and browsers would live on (some ignore SIGTERM). Started
/// through util-linux's `setpriv --pdeathsig KILL`, a child gets SIGKILL from the kernel
/// (`PR_SET_PDEATHSIG`) when the thread that started it ends — and the test runner's threads
/// live as long as it does. `setpriv` then `exec`s the program, so the pid is the program's.
public enum TiedProcess {
    static let setpriv = "/usr/bin/setpriv"

    /// Sets `process` to run `executable` with `arguments`, tied to this process when `setpriv`
    /// is available (it is part of util-linux, on every Debian system).
    public static func configure(_ process: Process, executable: String, arguments: [String]) {
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            return
        }
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments = ["--pdeathsig", "KILL", "--", executable] + arguments
    }
}
