import Foundation
import GatewayCluster
import GatewayServer
import Testing
import TestSupport

@Suite(.needsNATSServer) struct LeaseTests {
    @Test func theFirstHolderGetsItAndTheSecondDoesNot() async throws {
        let server = try NATSServerProcess()
        let a = try makeEngine(server, instanceID: "a")
        let b = try makeEngine(server, instanceID: "b")
        let leaseA = a.lease(named: "/quotes", ttl: .seconds(5))
        let leaseB = b.lease(named: "/quotes", ttl: .seconds(5))
        #expect(try await leaseA.hold())
        #expect(try await !leaseB.hold())
        #expect(try await leaseA.hold())  // renewed
        #expect(try await leaseA.hold())
        #expect(try await !leaseB.hold())
        // Another endpoint's lease is another key; another cluster's is another bucket.
        #expect(try await b.lease(named: "/orders", ttl: .seconds(5)).hold())
        let otherCluster = try makeEngine(server, cluster: "other", instanceID: "c")
        #expect(try await otherCluster.lease(named: "/quotes", ttl: .seconds(5)).hold())
        await a.close()
        await b.close()
        await otherCluster.close()
    }

    @Test func aLeaseNotRenewedLapsesAndTheSecondTakesIt() async throws {
        let server = try NATSServerProcess()
        let a = try makeEngine(server, instanceID: "a")
        let b = try makeEngine(server, instanceID: "b")
        // Two seconds: after b takes it, a's check below comes well within b's lease even on a loaded machine.
        let leaseA = a.lease(named: "/quotes", ttl: .seconds(2))
        let leaseB = b.lease(named: "/quotes", ttl: .seconds(2))
        #expect(try await leaseA.hold())
        let start = ContinuousClock.now
        #expect(try await !leaseB.hold())
        var taken = false
        while !taken && ContinuousClock.now - start < .seconds(TestTiming.seconds(8)) {
            try await Task.sleep(for: .milliseconds(100))
            taken = try await leaseB.hold()
        }
        #expect(taken)
        // Not before most of the TTL (the server expires a little early: ~0.87 s of 1 s seen here).
        #expect(ContinuousClock.now - start >= .milliseconds(1000))
        #expect(try await !leaseA.hold())  // its revision is gone: it sees b's id
        #expect(try await leaseB.hold())
        await a.close()
        await b.close()
    }

    @Test func aReleasedLeaseIsTakenAtOnce() async throws {
        let server = try NATSServerProcess()
        let a = try makeEngine(server, instanceID: "a")
        let b = try makeEngine(server, instanceID: "b")
        let leaseA = a.lease(named: "/quotes", ttl: .seconds(30))
        let leaseB = b.lease(named: "/quotes", ttl: .seconds(30))
        #expect(try await leaseA.hold())
        #expect(try await !leaseB.hold())
        await leaseA.release()
        #expect(try await leaseB.hold())
        #expect(try await !leaseA.hold())
        // Releasing a lease one does not hold deletes nothing.
        await leaseA.release()
        #expect(try await leaseB.hold())
        await a.close()
        await b.close()
    }

    @Test func aHolderThatLostItsRevisionButStillHoldsRenews() async throws {
        let server = try NATSServerProcess()
        let a = try makeEngine(server, instanceID: "a")
        #expect(try await a.lease(named: "/quotes", ttl: .seconds(30)).hold())
        // A new lease object of the same instance (as after a lost ack) finds its own id.
        #expect(try await a.lease(named: "/quotes", ttl: .seconds(30)).hold())
        await a.close()
    }

    @Test func anUnreachableEngineThrows() async throws {
        let server = try NATSServerProcess()
        let a = try makeEngine(server, instanceID: "a", requestTimeout: .milliseconds(500))
        let lease = a.lease(named: "/quotes", ttl: .seconds(5))
        #expect(try await lease.hold())
        server.kill()
        #expect(await eventually(seconds: TestTiming.seconds(5)) { !a.isConnected })
        do {
            _ = try await lease.hold()
            Issue.record("hold() answered while the engine was down")
        } catch let error as ClusterError {
            guard case .unreachable = error else {
                Issue.record("hold(): \(error)")
                return
            }
        }
        // Back, the holder renews.
        try server.restart()
        #expect(await eventually(seconds: TestTiming.seconds(5)) { a.isConnected })
        #expect(try await lease.hold())
        await a.close()
    }

    @Test func connectionChangesAreReported() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let changes = Locked<[Bool]>([])
        engine.onConnectionChange { connected in changes.withLock { $0.append(connected) } }
        #expect(engine.isConnected)
        server.kill()
        #expect(await eventually(seconds: TestTiming.seconds(5)) { changes.withLock { $0 } == [false] })
        try server.restart()
        #expect(await eventually(seconds: TestTiming.seconds(5)) { changes.withLock { $0 } == [false, true] })
        #expect(engine.isConnected)
        await engine.close()
        #expect(!engine.isConnected)
        #expect(changes.withLock { $0 } == [false, true, false])
    }
}
