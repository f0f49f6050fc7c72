import Foundation
import GatewayCluster
import GatewayServer
import Testing
import TestSupport

@Suite(.needsNATSServer) struct FollowRestartTests {
    /// While one task publishes without pause (each message retried under its id until it is
    /// stored), the server is SIGKILLed and started again on its port and store, twice; the
    /// follower gets every message once, in order.
    @Test func followsAcrossServerCrashesWithNoGapAndNoDuplicate() async throws {
        let server = try NATSServerProcess()
        let publisherEngine = try makeEngine(server, instanceID: "publisher", requestTimeout: .milliseconds(500))
        let followerEngine = try makeEngine(server, instanceID: "follower")
        let spec = ClusterStreamSpec(endpoint: "/ticks", cluster: "test", replay: 100_000, hasChannels: false)
        let stream = try await publisherEngine.openStream(spec)
        let followed = try await followerEngine.openStream(spec)
        let delivered = Delivered()
        let subscription = try followed.follow(from: 1) { delivered.append($0) }

        let total = 3000
        let published = Locked(0)
        let publishing = Task {
            for index in 0..<total {
                _ = try await stream.publishUntilStored(ClusterMessage(messageID: "tick-\(index)", data: "\(index)"))
                published.withLock { $0 = index + 1 }
            }
        }
        for crashAt in [800, 1800] {
            #expect(await eventually(seconds: TestTiming.seconds(20)) { published.withLock { $0 } >= crashAt })
            server.kill()
            try await Task.sleep(for: .milliseconds(300))
            try server.restart()
        }
        try await publishing.value
        #expect(await eventually(seconds: TestTiming.seconds(30)) { delivered.count >= total })
        try await Task.sleep(for: .milliseconds(200))  // anything doubled would arrive by now
        let messages = delivered.messages
        #expect(messages.count == total)
        #expect(messages.map(\.data) == (0..<total).map { "\($0)" })
        #expect(messages.map(\.sequence) == (1...UInt64(total)).map { $0 })
        subscription.cancel()
        await publisherEngine.close()
        await followerEngine.close()
    }
}
