import Foundation
import TestSupport

/// A background process (python, `gateway run`, `gateway tail`) whose output is collected as it
/// prints; tests stop it by pid at the end.
final class BackgroundProcess: @unchecked Sendable {
    let process = Process()
    // NSLock rather than `Mutex`: ThreadSanitizer sees a pthread mutex, not the futex under
    // `Mutex` on Linux, and would report the two readers' appends as a race.
    private let lock = NSLock()
    private var output = (stdout: "", stderr: "")

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        TiedProcess.configure(process, executable: executable, arguments: arguments)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.currentDirectoryURL = RelayExample.repository
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // At end of file a handler is called again and again with no data: it unsets itself.
        out.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            lock.withLock { output.stdout += String(decoding: data, as: UTF8.self) }
        }
        err.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            lock.withLock { output.stderr += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var stdout: String { lock.withLock { output.stdout } }
    var stderr: String { lock.withLock { output.stderr } }

    /// Waits (up to 20 s) for the process to exit; its status, or `nil` if it had to be killed.
    func waitForExit() async -> Int32? {
        let exited = await eventually(seconds: 20) { !process.isRunning }
        if !exited {
            stop()
            return nil
        }
        // Let the readability handlers drain what is left in the pipes.
        try? await Task.sleep(for: .milliseconds(100))
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL after 5 s; reaps the process.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
