import Foundation
import GatewayCluster
import GatewayServer
import NATS
import Testing
import TestSupport

extension Trait where Self == ConditionTrait {
    /// Skips a test that needs a `nats-server` when none is installed (scripts/bootstrap.sh installs it).
    static var needsNATSServer: Self {
        .enabled(if: NATSServerProcess.isInstalled, "nats-server is not installed (scripts/bootstrap.sh installs it)")
    }
}

/// An engine on `server` with short timeouts and quick reconnects, for tests.
func makeEngine(_ server: NATSServerProcess, cluster: String = "test", instanceID: String = "a", requestTimeout: Duration = .seconds(2)) throws
    -> JetStreamEngine
{
    let options = NATSOptions(
        urls: [server.url], reconnectWait: .milliseconds(20), maxReconnectWait: .milliseconds(200), requestTimeout: requestTimeout)
    return try JetStreamEngine(options: options, cluster: cluster, instanceID: instanceID)
}

extension ClusterStream {
    /// Publishes and waits for the answer.
    func publish(_ message: ClusterMessage, expectation: PublishExpectation? = nil) async -> Result<PublishAck, ClusterError> {
        await withCheckedContinuation { continuation in
            publish(message, expectation: expectation) { continuation.resume(returning: $0) }
        }
    }

    /// Publishes `message` until it is stored (the engine may be away), for at most `seconds`.
    func publishUntilStored(_ message: ClusterMessage, seconds: Double = 20) async throws -> PublishAck {
        let deadline = Date().addingTimeInterval(TestTiming.seconds(seconds))
        while true {
            switch await publish(message) {
            case .success(let ack): return ack
            case .failure(let error):
                guard Date() < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}

/// What a follow delivered, in order, with the batches' sizes.
final class Delivered: Sendable {
    private let state = Locked<[StoredMessage]>([])

    var messages: [StoredMessage] { state.withLock { $0 } }
    var count: Int { state.withLock { $0.count } }

    func append(_ batch: [StoredMessage]) { state.withLock { $0 += batch } }
}
