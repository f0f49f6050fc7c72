import GatewayPlugin
import MetricsTestKit
import NIOCore
import Testing

@testable import GatewayServer

extension EmbeddedGateway {
    /// Every observation of `gateway_delivery_seconds` for the endpoint, in nanoseconds.
    var deliveries: [Int64] {
        (try? testMetrics.expectTimer("gateway_delivery_seconds", [("endpoint", endpoint.path)]).values) ?? []
    }
}

/// `gateway_delivery_seconds`: one observation per event per drain of a loop, for live pushes only.
@Suite struct DeliveryHistogramTests {
    @Test func eachLiveEventIsObservedOnceHoweverManyClientsTheLoopWrites() throws {
        let gateway = EmbeddedGateway()
        let clients = try (0..<3).map { _ in try gateway.connect() }
        for client in clients { try client.request("GET /a HTTP/1.1\r\n\r\n") }
        gateway.publish(1...4)
        #expect(gateway.deliveries.count == 4)
        gateway.publishOneByOne(5...6)
        #expect(gateway.deliveries.count == 6)
        for client in clients { #expect(dataValues(try client.written()) == (1...6).map(String.init)) }
    }

    @Test func theTimeIsMeasuredFromTheEventsArrival() throws {
        let gateway = EmbeddedGateway()
        let client = try gateway.connect()
        try client.request("GET /a HTTP/1.1\r\n\r\n")
        gateway.endpoint.ingest([Event(event: "n", data: "1")], arrival: .now() - .milliseconds(40))
        gateway.loop.run()
        let observed = try #require(gateway.deliveries.first)
        #expect(observed >= 40_000_000)
    }

    @Test func eventsNobodyIsConnectedForAndReplayedEventsAreNotObserved() throws {
        let gateway = EmbeddedGateway()
        gateway.publish(1...3)
        #expect(gateway.deliveries.isEmpty, "with no client, nothing is delivered")
        let resuming = try gateway.connect()
        try resuming.request("GET /a HTTP/1.1\r\nLast-Event-ID: 7-0\r\n\r\n")
        gateway.loop.run()
        #expect(dataValues(try resuming.written()) == ["1", "2", "3"])
        #expect(gateway.deliveries.isEmpty, "a replay is a pull, not observed")
        gateway.publish(4...4)
        #expect(gateway.deliveries.count == 1)
    }

    @Test func aClientPulledForwardBecauseItLagsIsNotObserved() throws {
        let gateway = EmbeddedGateway(replay: 100)
        let slow = try gateway.connect()
        try slow.request("GET /a HTTP/1.1\r\n\r\n")
        _ = try slow.written()
        slow.isWritable = false
        gateway.publishOneByOne(1...5)
        // The push wrote event 1; the connection was full after it, so 2…5 wait in the log.
        #expect(gateway.deliveries.count == 1, "only the event written is observed")
        slow.isWritable = true
        slow.pipeline.fireChannelWritabilityChanged()
        gateway.loop.run()
        #expect(dataValues(try slow.written()) == ["1", "2", "3", "4", "5"])
        #expect(gateway.deliveries.count == 1, "the pull that caught it up is not observed")
    }

    @Test func onAChannelEndpointOnlyEventsWrittenToSomeoneAreObserved() throws {
        let gateway = EmbeddedGateway.channels()
        let a = try gateway.open("/a/a")
        let b = try gateway.open("/a/b")
        gateway.publish([("a", 1), ("b", 2), ("a", 3), ("c", 4)])
        #expect(gateway.deliveries.count == 3, "the event of channel c has no reader")
        #expect(channelEvents(try a.written()) == ["a1", "a3"])
        #expect(channelEvents(try b.written()) == ["b2"])
    }
}
