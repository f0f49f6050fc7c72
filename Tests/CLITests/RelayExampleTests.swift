import Foundation
import Synchronization
import TestSupport
import Testing

/// A port that was free a moment ago (bound to port 0, then released).
func freePort() throws -> Int {
    let server = try LoopbackServer { _ in }
    defer { server.close() }
    return server.port
}

enum RelayExample {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether the binary has `gateway run` (the server lands separately from the sources).
    static let gatewayCanRun: Bool = {
        guard let result = try? GatewayBinary.run(["help", "run"]) else { return false }
        return result.status == 0 && result.stdout.contains("USAGE: gateway run")
    }()
}

/// `examples/relay` as its README runs it: origin → gateway A → gateway B → a client.
///
/// Needs `gateway run`; until the binary has it, this suite is skipped (and says so).
@Suite(.serialized, .enabled(if: RelayExample.gatewayCanRun, "needs `gateway run`"))
struct RelayExampleTests {

    /// The `n` of each tick the client printed, in order.
    static func ticks(_ output: String) -> [Int] {
        output.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: #"\"n\": "#) else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test func aClientOfTheSecondGatewaySeesTheOriginsEventsAndSurvivesARestartOfTheFirst() async throws {
        // The origin binds a port of its own choosing and says which: a port picked free
        // beforehand can be taken by another test's server meanwhile.
        let origin = try BackgroundProcess("/usr/bin/env", ["python3", "examples/relay/origin.py", "0"])
        defer { origin.stop() }
        #expect(await eventually(seconds: 30) { origin.stdout.contains("/events") }, "origin: \(origin.stderr)")
        let originPort = try #require(origin.stdout.firstMatch(of: /127\.0\.0\.1:(\d+)\//).flatMap { Int($0.1) })
        let (aPort, bPort) = (try freePort(), try freePort())
        let environment = [
            "ORIGIN_URL": "http://127.0.0.1:\(originPort)/events",
            "GATEWAY_A_LISTEN": "127.0.0.1:\(aPort)",
            "GATEWAY_A_URL": "http://127.0.0.1:\(aPort)/feed",
            "GATEWAY_B_LISTEN": "127.0.0.1:\(bPort)",
        ]
        var a = try BackgroundProcess(GatewayBinary.path, ["run", "examples/relay/gateway-a.yaml"], environment: environment)
        defer { a.stop() }
        let b = try BackgroundProcess(GatewayBinary.path, ["run", "examples/relay/gateway-b.yaml"], environment: environment)
        defer { b.stop() }
        let client = try BackgroundProcess(GatewayBinary.path, ["tail", "--json", "http://127.0.0.1:\(bPort)/feed"])
        defer { client.stop() }

        #expect(await eventually(seconds: 30) { Self.ticks(client.stdout).count >= 3 }, "client saw: \(client.stdout)\nclient: \(client.stderr)\nA: \(a.stderr)\nB: \(b.stderr)")
        let before = Self.ticks(client.stdout)
        // The client may have started before B was listening; what counts is what follows.
        let clientLogBefore = client.stderr

        a.stop()
        try await Task.sleep(for: .milliseconds(500))
        a = try BackgroundProcess(GatewayBinary.path, ["run", "examples/relay/gateway-a.yaml"], environment: environment)

        let last = before.last ?? 0
        #expect(await eventually(seconds: 30) { (Self.ticks(client.stdout).last ?? 0) >= last + 4 }, "client saw: \(client.stdout)\nB: \(b.stderr)")
        let after = Self.ticks(client.stdout)
        #expect(b.process.isRunning)
        // B kept its client connected through A's restart: the client never had to reconnect.
        #expect(!client.stderr.dropFirst(clientLogBefore.count).contains("reconnecting"), "\(client.stderr)")
        // Ticks only move forward: nothing is repeated across the restart.
        #expect(after == after.sorted() && Set(after).count == after.count, "\(after)")
    }
}
