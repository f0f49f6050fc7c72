import Foundation
import NATS
import Testing
import TestSupport

@Suite(.needsNATSServer) struct JetStreamFollowerTests {
    static let config = JetStreamStreamConfig(name: "TICKS", subjects: ["ticks"])

    static func fill(_ nats: NATSConnection, count: Int) async throws {
        let acked = Locked(0)
        for index in 0..<count {
            nats.publish(JetStreamPublish(subject: "ticks", payload: Array("\(index)".utf8), messageID: "t\(index)")) { result in
                if case .success = result { acked.withLock { $0 += 1 } }
            }
        }
        #expect(await eventually(seconds: TestTiming.seconds(10)) { acked.withLock { $0 } == count })
    }

    @Test func recoversFromMessagesTheLibraryDroppedWithNoGapAndNoDuplicate() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        _ = try await nats.ensureStream(Self.config)
        try await Self.fill(nats, count: 2000)
        let received = Locked<[UInt64]>([])
        // A queue of 20 messages and a slow handler: the library drops, the follower notices.
        // 2 ms a batch: far slower than the server sends, however loaded the machine.
        let follower = nats.follow(stream: "TICKS", subject: "ticks", from: 1, pendingLimits: (20, 1 << 20), maxBatch: 5) { batch in
            usleep(2_000)
            received.withLock { $0 += batch.map(\.sequence) }
        }
        #expect(await eventually(seconds: TestTiming.seconds(30)) { received.withLock { $0.count } >= 2000 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(received.withLock { $0 } == Array(1...2000))
        #expect(follower.recoveries > 0)
        #expect(follower.lastSequence == 2000)
        follower.cancel()
        await nats.close()
    }

    @Test func waitsForAStreamThatDoesNotExistYet() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        let errors = Locked(0)
        let received = Locked<[String]>([])
        let follower = nats.follow(stream: "TICKS", subject: "ticks", from: 1, onError: { _ in errors.withLock { $0 += 1 } }) { batch in
            received.withLock { $0 += batch.map { String(decoding: $0.payload, as: UTF8.self) } }
        }
        #expect(await eventually(seconds: TestTiming.seconds(5)) { errors.withLock { $0 } > 0 })
        _ = try await nats.ensureStream(Self.config)
        try await Self.fill(nats, count: 3)
        #expect(await eventually(seconds: TestTiming.seconds(10)) { received.withLock { $0 } == ["0", "1", "2"] })
        follower.cancel()
        await nats.close()
    }

    @Test func deliversNothingOnceCancelledEvenFromItsOwnHandler() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        _ = try await nats.ensureStream(Self.config)
        let received = Locked(0)
        let holder = Locked<JetStreamFollower?>(nil)
        let follower = nats.follow(stream: "TICKS", subject: "ticks", from: 1, maxBatch: 1) { batch in
            let count = received.withLock { count in
                count += batch.count
                return count
            }
            if count == 3 { holder.withLock { $0 }?.cancel() }
        }
        holder.withLock { $0 = follower }
        try await Self.fill(nats, count: 10)
        try await Task.sleep(for: .milliseconds(200))
        #expect(received.withLock { $0 } == 3)
        holder.withLock { $0 = nil }  // the handler holds the holder: no cycle left behind

        // Cancelled from another thread: nothing after cancel() returns.
        let other = Locked(0)
        let second = nats.follow(stream: "TICKS", subject: "ticks", from: 1, maxBatch: 1) { batch in
            usleep(1000)
            other.withLock { $0 += batch.count }
        }
        #expect(await eventually { other.withLock { $0 } >= 2 })
        second.cancel()
        let atCancel = other.withLock { $0 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(other.withLock { $0 } == atCancel)
        await nats.close()
    }

    @Test func keyValueRevisionsGuardWrites() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        let bucket = try await nats.keyValue(bucket: "LEASES", ttl: .seconds(30))
        #expect(try await bucket.latest("k") == nil)
        let first = try await bucket.create("k", value: Array("a".utf8))
        await #expect(throws: NATSError.self) { try await bucket.create("k", value: Array("b".utf8)) }
        let second = try await bucket.update("k", value: Array("a".utf8), revision: first)
        do {
            _ = try await bucket.update("k", value: Array("b".utf8), revision: first)
            Issue.record("an update at an old revision was stored")
        } catch {
            #expect(error.isWrongLastSequence)
        }
        let entry = try #require(try await bucket.latest("k"))
        #expect(entry.value == Array("a".utf8))
        #expect(entry.revision == second)
        try await bucket.delete("k", revision: second)
        #expect(try await bucket.latest("k")?.operation == .delete)
        // A deleted key can be created again.
        _ = try await bucket.create("k", value: Array("c".utf8))
        // An existing bucket takes a new TTL and keeps its keys.
        let again = try await nats.keyValue(bucket: "LEASES", ttl: .seconds(60))
        #expect(try await again.latest("k")?.value == Array("c".utf8))
        #expect(try await nats.streamInfo("KV_LEASES")?.config.maxAge == .seconds(60))
        await nats.close()
    }
}
