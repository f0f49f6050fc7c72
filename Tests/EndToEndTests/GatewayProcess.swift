import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `gateway run` process on a free loopback port, killed by pid when the test is done.
final class GatewayProcess {
    /// `gateway`, beside the test bundle in the build folder.
    static let binary: String = {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gateway").path
    }()

    let process = Process()
    let folder: URL
    let stderrFile: URL
    private(set) var port = 0

    /// Starts `gateway run` with `yaml` (its `server.listen` is overridden to 127.0.0.1:0) and
    /// waits until it logs the address it listens on. `openFileLimit` sets the process's soft and
    /// hard `RLIMIT_NOFILE` (through the shell's `ulimit`, which then `exec`s the gateway, so the
    /// pid is the gateway's).
    /// `standardInput`: what the gateway reads as its standard input (for `stdin` sources).
    init(
        yaml: String, environment: [String: String] = [:], extraArguments: [String] = [], openFileLimit: Int? = nil,
        standardInput: Pipe? = nil
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("gateway.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        stderrFile = folder.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let arguments = ["run", config.path, "--listen", "127.0.0.1:0"] + extraArguments
        if let openFileLimit {
            TiedProcess.configure(
                process, executable: "/bin/sh",
                arguments: ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", Self.binary] + arguments)
        } else {
            TiedProcess.configure(process, executable: Self.binary, arguments: arguments)
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        if let standardInput { process.standardInput = standardInput }
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            // `address=127.0.0.1:PORT`, or `"address":"127.0.0.1:PORT"` with `--log-format json`.
            if let match = log.firstMatch(of: /address"?[=:]"?127\.0\.0\.1:(\d+)/), let port = Int(match.1) {
                self.port = port
                return
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        stop()
        throw GatewayProcessError(message: "gateway did not start listening:\n\(log)")
    }

    /// CPU seconds (user + system) the process has used so far, from `/proc/PID/stat`.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name; utime and stime are fields 14 and 15 of the whole line.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The resident memory of the process now, in bytes, from `/proc/PID/status`.
    var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let match = status.firstMatch(of: /VmRSS:\s+(\d+) kB/), let kilobytes = Int(match.1)
        else { return 0 }
        return kilobytes * 1024
    }

    /// What the gateway has logged so far.
    var log: String {
        (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` and waits up to `timeout` seconds for the exit; returns the status and the time it took.
    func terminate(signal: Int32 = SIGTERM, timeout: Double = 10) -> (status: Int32?, seconds: Double) {
        let start = Date()
        kill(process.processIdentifier, signal)
        while process.isRunning && Date().timeIntervalSince(start) < timeout { usleep(5_000) }
        let seconds = Date().timeIntervalSince(start)
        if process.isRunning {
            stop()
            return (nil, seconds)
        }
        return (process.terminationStatus, seconds)
    }

    /// Kills the process (by its pid) if it still runs, and removes its folder.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }
}

struct GatewayProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
