import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `nats-server` with JetStream on a free loopback port and a store of its own, for tests.
///
/// Starts in ~15 ms. It can be killed (SIGKILL, as a crash) and started again on the same port
/// with the same store, to test what survives a server restart. It is tied to the test process
/// (``TiedProcess``) and killed by pid when dropped.
///
/// ```swift
/// @Test(.enabled(if: NATSServerProcess.isInstalled, "nats-server is not installed"))
/// func follows() throws {
///     let server = try NATSServerProcess()
///     let nats = try NATSConnection(options: NATSOptions(urls: [server.url]))
/// }
/// ```
public final class NATSServerProcess: @unchecked Sendable {
    // @unchecked: a test drives it from one task at a time.

    /// The `nats-server` binary, if installed (Debian puts it in /usr/sbin).
    public static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"]
        return folders.map { "\($0)/nats-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    public static var isInstalled: Bool { executable != nil }


    /// The folder of the configuration, the store (`store/`), the ports file and the log.
    public let folder: URL
    public private(set) var port = 0
    private var process: Process?

    /// `nats://127.0.0.1:PORT`.
    public var url: String { "nats://127.0.0.1:\(port)" }

    /// The server's own log so far (for a failure message).
    public var log: String { (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? "" }

    /// Starts a server with JetStream (64 MB of memory and 256 MB of file store at most).
    public init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nats-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("store"), withIntermediateDirectories: true)
        try start(listen: "127.0.0.1:-1")
    }

    /// Whether the server runs now.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// Kills the server with SIGKILL (as a crash: nothing is flushed) and waits for it to exit.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts the server again on the same port, with the same store.
    public func restart() throws {
        kill()
        try start(listen: "127.0.0.1:\(port)")
    }

    /// Kills the server and removes its folder.
    public func stop() {
        kill()
        process = nil
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    private func start(listen: String) throws {
        guard let executable = Self.executable else { throw NATSServerError(message: "nats-server is not installed") }
        let store = folder.appendingPathComponent("store").path
        let config = folder.appendingPathComponent("server.conf")
        let text = """
            listen: \(listen)
            jetstream {
              store_dir: "\(store)"
              max_memory_store: 64MB
              max_file_store: 256MB
            }
            """
        try text.write(to: config, atomically: true, encoding: .utf8)
        let portsFolder = folder.appendingPathComponent("ports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: portsFolder, withIntermediateDirectories: true)
        let logFile = folder.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()

        let process = Process()
        TiedProcess.configure(process, executable: executable, arguments: ["-c", config.path, "--ports_file_dir", portsFolder.path])
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process

        // The server writes its ports file once it accepts clients (JetStream is up by then).
        let deadline = Date().addingTimeInterval(TestTiming.seconds(10))
        while Date() < deadline {
            if let name = try? FileManager.default.contentsOfDirectory(atPath: portsFolder.path).first(where: { $0.hasSuffix(".ports") }),
                let data = FileManager.default.contents(atPath: portsFolder.appendingPathComponent(name).path),
                let ports = try? JSONDecoder().decode(Ports.self, from: data),
                let url = ports.nats.first, let found = url.split(separator: ":").last.flatMap({ Int($0) })
            {
                port = found
                return
            }
            if !process.isRunning { break }
            usleep(2_000)
        }
        kill()
        throw NATSServerError(message: "nats-server did not start:\n\(self.log)")
    }

    private struct Ports: Decodable {
        let nats: [String]
    }
}

public struct NATSServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
