import Foundation
import NATS
import TestSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Skips a test that needs a `nats-server` when none is installed (scripts/bootstrap.sh installs it).
    static var needsNATSServer: Self {
        .enabled(if: NATSServerProcess.isInstalled, "nats-server is not installed (scripts/bootstrap.sh installs it)")
    }
}

/// A connection to `server` with short timeouts, for tests.
func connect(_ server: NATSServerProcess, requestTimeout: Duration = .seconds(2)) throws -> NATSConnection {
    try NATSConnection(
        options: NATSOptions(
            urls: [server.url], reconnectWait: .milliseconds(20), maxReconnectWait: .milliseconds(200), requestTimeout: requestTimeout))
}

/// Publishes and waits for the ack.
func publish(_ nats: NATSConnection, _ message: JetStreamPublish) async -> Result<JetStreamAck, NATSError> {
    await withCheckedContinuation { continuation in
        nats.publish(message) { continuation.resume(returning: $0) }
    }
}

extension NATSConnection {
    /// How many consumers `stream` has now.
    func consumerCount(_ stream: String) async throws -> Int {
        try await streamInfo(stream)?.consumers ?? -1
    }
}
