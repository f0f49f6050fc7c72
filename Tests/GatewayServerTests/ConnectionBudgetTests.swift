import Logging
import MetricsTestKit
import NIOCore
import NIOEmbedded
import Testing
import TestSupport

@testable import GatewayServer

@Suite struct ConnectionBudgetTests {
    let testMetrics = TestMetrics()
    let records = LogRecords()

    func budget(openFileLimit: Int, reserved: Int) -> ConnectionBudget {
        ConnectionBudget(
            openFileLimit: openFileLimit, reserved: reserved, metrics: GatewayMetrics(factory: testMetrics),
            logger: .recording(into: records))
    }

    func refused(_ reason: String) throws -> Int64 {
        try testMetrics.expectCounter("gateway_connections_refused_total", [("reason", reason)]).totalValue
    }

    @Test func connectionsPastCapacityOverflowThenAreRefusedAndEachIsCounted() throws {
        let budget = budget(openFileLimit: 200, reserved: 40)
        #expect(budget.capacity + budget.overflow == 160)
        let admitted = (0..<budget.capacity).map { _ in budget.admit() }
        #expect(admitted.allSatisfy { $0 == .admitted })
        let overflow = (0..<budget.overflow).map { _ in budget.admit() }
        #expect(overflow.allSatisfy { $0 == .overflow })
        #expect(budget.admit() == .refused)
        #expect(budget.admit() == .refused)
        // Overflow connections are counted when they are refused a stream, not when admitted.
        #expect(try refused("fd_limit") == 2)
    }

    @Test func anEpisodeIsLoggedOnceWhenItStartsAndOnceWhenConnectionsFallBelowNinetyPercent() {
        let budget = budget(openFileLimit: 200, reserved: 40)
        for _ in 0..<budget.capacity { _ = budget.admit() }
        for _ in 0..<50 { _ = budget.admit() }
        for _ in 0..<budget.overflow { budget.release(.overflow) }
        #expect(records.count("connection limit reached") == 1)
        #expect(!records.contains("below the limit again"))
        // One close is not enough: the episode ends with room to spare, not at the edge.
        budget.release(.admitted)
        #expect(!records.contains("below the limit again"))
        for _ in 0..<(budget.capacity / 10) { budget.release(.admitted) }
        #expect(records.count("below the limit again") == 1)
        #expect(records.contains("over_budget=50"))
        // A new episode is logged again.
        for _ in 0..<(budget.capacity / 10 + 2) { _ = budget.admit() }
        #expect(records.count("connection limit reached") == 2)
    }

    @Test func failedAcceptsAreCountedEachTimeAndLoggedOnce() throws {
        let budget = budget(openFileLimit: 200, reserved: 40)
        for _ in 0..<5 { budget.acceptFailed(IOError(errnoCode: 24, reason: "accept")) }
        #expect(try refused("accept_error") == 5)
        #expect(records.count("cannot accept connections") == 1)
    }

    @Test func theReserveGrowsWithTheLimitSourcesAndLoopsButNeverTakesHalf() {
        #expect(ConnectionBudget.reserve(openFileLimit: 1024, eventLoops: 2, sources: 3) == 84)
        #expect(ConnectionBudget.reserve(openFileLimit: 20_000, eventLoops: 2, sources: 3) == 400)
        #expect(ConnectionBudget.reserve(openFileLimit: 100, eventLoops: 2, sources: 30) == 50)
    }

    @Test func anOverflowConnectionAnswersHealthChecksButRefusesStreamsWith503() throws {
        let gateway = EmbeddedGateway()
        let health = try gateway.connect(isOverflow: true)
        try health.request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try health.written()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.contains("Connection: close\r\n"), "one answer, then the descriptor is given back")
        #expect(throws: ChannelError.alreadyClosed) { try health.finish() }
        #expect(try gateway.counter("gateway_connections_refused_total", [("reason", "fd_limit")]) == 0, "a health check is served")

        let stream = try gateway.connect(isOverflow: true)
        try stream.request("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        let refusal = try stream.written()
        #expect(refusal.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(refusal.contains("Retry-After: 2\r\n"))
        #expect(throws: ChannelError.alreadyClosed) { try stream.finish() }
        #expect(try gateway.counter("gateway_connections_refused_total", [("reason", "fd_limit")]) == 1)
        #expect(try gateway.testMetrics.expectMeter("gateway_clients", [("endpoint", "/a")]).lastValue == 0)
    }
}
