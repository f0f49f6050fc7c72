import GatewayServer
import NATS
import NIOConcurrencyHelpers

/// A lease as a key in the cluster's KV bucket, whose TTL (the bucket's age limit) is the lease
/// time: the key holds the holder's instance id, and it lapses unless rewritten in time.
///
/// - Taking it: create the key (only when it holds no value: never written, lapsed, deleted).
/// - Renewing it: update the key at the revision this instance last wrote (only if nobody wrote
///   since). If the revision was lost (an ack that never came), a key still holding this
///   instance's id is renewed at its current revision.
/// - Anyone else's id in the key: someone else holds it.
///
/// The bucket takes the TTL of the last lease that made it: every instance of a cluster runs the
/// same `cluster.lease`.
final class JetStreamLease: ClusterLease {
    private let key: String
    private let bucketName: String
    private let ttl: Duration
    private let engine: JetStreamEngine
    private let state = NIOLockedValueBox(State())

    private struct State {
        var bucket: KeyValueBucket?
        /// The revision this instance last wrote, while it believes it holds the lease.
        var revision: UInt64?
    }

    init(name: String, ttl: Duration, engine: JetStreamEngine) {
        self.key = JetStreamNames.leaseKey(name)
        self.bucketName = JetStreamNames.leaseBucket(cluster: engine.cluster)
        self.ttl = ttl
        self.engine = engine
    }

    private var value: [UInt8] { Array(engine.instanceID.utf8) }

    func hold() async throws -> Bool {
        do {
            return try await holdNow()
        } catch {
            state.withLockedValue { $0.bucket = nil }  // made again next time (it may have been deleted)
            throw ClusterError(error)
        }
    }

    private func holdNow() async throws(NATSError) -> Bool {
        let bucket = try await openBucket()
        if let revision = state.withLockedValue({ $0.revision }) {
            do throws(NATSError) {
                let renewed = try await bucket.update(key, value: value, revision: revision)
                state.withLockedValue { $0.revision = renewed }
                return true
            } catch where error.isWrongLastSequence {
                // Lapsed, or written by another: look.
                state.withLockedValue { $0.revision = nil }
            }
        }
        do throws(NATSError) {
            if let entry = try await bucket.latest(key), entry.operation == .put {
                guard entry.value == value else { return false }
                let renewed = try await bucket.update(key, value: value, revision: entry.revision)
                state.withLockedValue { $0.revision = renewed }
                return true
            }
            let taken = try await bucket.create(key, value: value)
            state.withLockedValue { $0.revision = taken }
            return true
        } catch where error.isWrongLastSequence {
            return false  // another instance wrote it between our look and our write
        }
    }

    func release() async {
        guard let (bucket, revision) = state.withLockedValue({ state -> (KeyValueBucket, UInt64)? in
            defer { state.revision = nil }
            guard let bucket = state.bucket, let revision = state.revision else { return nil }
            return (bucket, revision)
        }) else { return }
        // Only our own revision is deleted: a lease another instance took meanwhile stays.
        try? await bucket.delete(key, revision: revision)
    }

    private func openBucket() async throws(NATSError) -> KeyValueBucket {
        if let bucket = state.withLockedValue({ $0.bucket }) { return bucket }
        let bucket = try await engine.connection.keyValue(bucket: bucketName, ttl: ttl, replicas: engine.leaseReplicas)
        state.withLockedValue { $0.bucket = bucket }
        return bucket
    }
}
