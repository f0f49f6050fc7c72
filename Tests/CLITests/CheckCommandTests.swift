import Foundation
import Testing

/// Runs the built `gateway` binary, as a user would.
enum GatewayBinary {
    /// `gateway`, beside the test bundle in the build folder.
    static let path: String = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("gateway").path
    }()

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `gateway ARGUMENTS` to completion (bounded by `timeout`), killing it if it overruns.
    static func run(_ arguments: [String], timeout: TimeInterval = 30) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        // Read both pipes fully before waiting, so a chatty process cannot block on a full pipe.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Writes `text` to a fresh temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String = "gateway.yaml") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}

// Serialized: each test blocks a thread reading a child's pipes, and the cooperative pool has only as many threads as cores.
@Suite(.serialized) struct CheckCommandTests {
    @Test func aValidConfigurationPrintsThePlanAndExitsZero() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            sources:
              ticks: { type: generate, interval: 1s, event: tick }
            endpoints:
              - path: /ticks
                from: [ticks]
                pipeline:
                  - rename: { tick: tock }
            """)
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\(file): valid"))
        #expect(result.stdout.contains("ticks  generate  'tick' every 1s"))
        #expect(result.stdout.contains("/ticks  ← ticks"))
        #expect(result.stdout.contains("1. rename tick → tock"))
        #expect(result.stderr.isEmpty)
    }

    @Test func aChannelEndpointShowsItsKeyAndLimitsInThePlan() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            sources:
              orders: { type: generate, interval: 1s, data: '{"customer":"a"}' }
            endpoints:
              - { path: "/orders/{customer}", from: [orders], channel: data.customer, max_channels: 500, replay_bytes: 8MiB }
            """)
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 0)
        #expect(result.stdout.contains("/orders/{customer}  ← orders\n    a channel per data.customer, at most 500 channels and 8MiB\n"))
        #expect(result.stdout.contains("replay 100 per channel, ids sequence"))
    }

    @Test func threeMistakesPrintThreePositionedLinesAndExitOne() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            server:
              listen: nowhere
            sources:
              ticks: { type: generat }
            endpoints:
              - path: /ticks
                from: [ticks]
                pipeline:
                  - filtr: { event: x }
            """)
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("\(file):2:11: 'listen' must be HOST:PORT"))
        #expect(lines[1].hasPrefix("\(file):4:18: unknown source type 'generat'. Did you mean 'generate'?"))
        #expect(lines[2].hasPrefix("\(file):9:9: unknown transform 'filtr'. Did you mean 'filter'?"))
        #expect(lines[3] == "\(file): 3 problems found")
        #expect(result.stdout.isEmpty)
    }

    @Test func aMissingFileIsReportedAndExitsOne() throws {
        let result = try GatewayBinary.run(["check", "/nonexistent/gateway.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("/nonexistent/gateway.yaml:1:1: cannot read the configuration file"))
    }

    @Test func aUsageErrorExitsTwo() throws {
        let result = try GatewayBinary.run(["check", "a.yaml", "b.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Unexpected argument"))
        #expect(try GatewayBinary.run(["frobnicate"]).status == 2)
    }

    @Test func versionAndHelpExitZero() throws {
        let version = try GatewayBinary.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.split(separator: ".").count == 3)
        let help = try GatewayBinary.run(["help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("check"))
    }
}
