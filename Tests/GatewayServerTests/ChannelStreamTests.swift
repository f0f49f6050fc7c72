import GatewayPlugin
import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayServer

extension EmbeddedGateway {
    /// A gateway whose endpoint `/a/{channel}` sends each event to the channel named by `data.c`.
    static func channels(replay: Int = 5, maxChannels: Int = 100) -> EmbeddedGateway {
        EmbeddedGateway(replay: replay, channel: .dataPath(JSONPath("c")!), maxChannels: maxChannels)
    }

    /// Publishes one batch: for each (channel, n) an event whose data is `{"c":"CHANNEL","n":N}`.
    func publish(_ events: [(String, Int)]) {
        endpoint.ingest(events.map { Event(event: "n", data: "{\"c\":\"\($0.0)\",\"n\":\($0.1)}") })
        loop.run()
    }

    /// A stream opened with `GET target`.
    func open(_ target: String, headers: String = "") throws -> EmbeddedChannel {
        let channel = try connect()
        try channel.request("GET \(target) HTTP/1.1\r\n\(headers)\r\n")
        return channel
    }
}

/// The `n` of each event in `text`, with its channel: `a1`, `b2`…
func channelEvents(_ text: String) -> [String] {
    dataValues(text).compactMap { data in
        guard case .object(let members)? = try? JSONValue.parse(data) else { return nil }
        let object = JSONValue.object(members)
        guard let channel = object["c"]?.string, let n = object["n"] else { return nil }
        return channel + n.text
    }
}

@Suite struct ChannelStreamTests {
    @Test func eachClientGetsOnlyItsChannelsEventsAndNoOtherChannelsClientIsWrittenTo() throws {
        let gateway = EmbeddedGateway.channels()
        let a = try gateway.open("/a/a")
        let b = try gateway.open("/a/b")
        _ = try a.written()
        _ = try b.written()
        gateway.publish([("a", 1), ("b", 2), ("a", 3)])
        #expect(channelEvents(try a.written()) == ["a1", "a3"])
        #expect(channelEvents(try b.written()) == ["b2"])
        gateway.publish([("a", 4)])
        #expect(try b.writes().isEmpty, "publishing to a writes nothing to b's client")
        #expect(channelEvents(try a.written()) == ["a4"])
    }

    @Test func idsAreTheEndpointsSequenceSoTheySkipWithinAChannel() throws {
        let gateway = EmbeddedGateway.channels()
        let a = try gateway.open("/a/a")
        gateway.publish([("a", 1), ("b", 2), ("a", 3)])
        let ids = try a.written().split(separator: "\n").filter { $0.hasPrefix("id: ") }
        #expect(ids == ["id: 7-1", "id: 7-3"])
    }

    @Test func resumingWithinAChannelReplaysOnlyItsEventsAfterTheID() throws {
        let gateway = EmbeddedGateway.channels()
        gateway.publish([("a", 1), ("b", 2), ("a", 3), ("b", 4), ("a", 5)])
        let resumed = try gateway.open("/a/a", headers: "Last-Event-ID: 7-1\r\n")
        gateway.publish([("b", 6), ("a", 7)])
        let text = try resumed.written()
        #expect(!text.contains("reset"))
        #expect(channelEvents(text) == ["a3", "a5", "a7"])
        // An id of another channel is placed by its number.
        let placed = try gateway.open("/a/a", headers: "Last-Event-ID: 7-4\r\n")
        #expect(channelEvents(try placed.written()) == ["a5", "a7"])
    }

    @Test func anIDOlderThanTheChannelKeepsGetsAResetNamingTheChannelAndItsOldest() throws {
        let gateway = EmbeddedGateway.channels(replay: 2)
        gateway.publish([("a", 1), ("b", 2), ("a", 3), ("b", 4), ("a", 5)])
        let resumed = try gateway.open("/a/a", headers: "Last-Event-ID: 7-0\r\n")
        let text = try resumed.written()
        #expect(text.contains(#"event: reset\#ndata: {"reason":"too_old","last_event_id":"7-0","oldest":"7-3","channel":"a"}"#))
        #expect(channelEvents(text) == ["a3", "a5"])
        #expect(try gateway.counter("gateway_replay_total", [("endpoint", "/a/{channel}"), ("result", "too_old")]) == 1)
    }

    @Test func severalChannelsOnOneStreamAreMergedInIDOrderReplayAndLive() throws {
        let gateway = EmbeddedGateway.channels()
        gateway.publish([("a", 1), ("b", 2), ("c", 3), ("a", 4)])
        let both = try gateway.open("/a/*?channels=b,a", headers: "Last-Event-ID: 7-1\r\n")
        gateway.publish([("c", 5), ("b", 6), ("a", 7)])
        #expect(channelEvents(try both.written()) == ["b2", "a4", "b6", "a7"])
    }

    @Test func aChannelNameIsOnePercentDecodedSegment() throws {
        let gateway = EmbeddedGateway.channels()
        let client = try gateway.open("/a/a%2Fb%20c")
        gateway.publish([("a/b c", 1), ("a", 2)])
        #expect(channelEvents(try client.written()) == ["a/b c1"])
    }

    @Test func anEventWithoutAChannelIsDroppedAndCounted() throws {
        let gateway = EmbeddedGateway.channels()
        let a = try gateway.open("/a/a")
        gateway.endpoint.ingest([
            Event(data: "not json"), Event(data: #"{"c":{"x":1}}"#), Event(data: #"{"n":1}"#), Event(data: #"{"c":""}"#),
            Event(data: #"{"c":"a","n":1}"#),
        ])
        gateway.loop.run()
        #expect(channelEvents(try a.written()) == ["a1"])
        #expect(try gateway.counter("gateway_dropped_events_total", [("endpoint", "/a/{channel}"), ("reason", "no_channel")]) == 4)
    }

    @Test func aNumberNamesTheChannelAsWritten() throws {
        let gateway = EmbeddedGateway.channels()
        let client = try gateway.open("/a/42")
        gateway.endpoint.ingest([Event(data: #"{"c":42}"#), Event(data: #"{"c":"42"}"#), Event(data: #"{"c":42.0}"#)])
        gateway.loop.run()
        #expect(dataValues(try client.written()) == [#"{"c":42}"#, #"{"c":"42"}"#])
    }

    @Test func aSlowClientOfAChannelIsPulledForwardWhileItsNeighbourGoesOn() throws {
        let gateway = EmbeddedGateway.channels(replay: 100)
        let slow = try gateway.open("/a/a")
        let fast = try gateway.open("/a/a")
        _ = try slow.written()
        slow.isWritable = false
        for n in 1...20 { gateway.publish([("a", n), ("b", n)]) }
        #expect(channelEvents(try fast.written()) == (1...20).map { "a\($0)" })
        #expect(channelEvents(try slow.written()).count <= 1)
        slow.isWritable = true
        slow.pipeline.fireChannelWritabilityChanged()
        gateway.publish([("a", 21)])
        let caughtUp = channelEvents(try slow.written())
        #expect(caughtUp.last == "a21")
        #expect(Set(caughtUp).count == caughtUp.count)
    }

    @Test func theChannelsGaugeAndEvictionsAreCounted() throws {
        let gateway = EmbeddedGateway.channels(maxChannels: 2)
        gateway.publish([("a", 1), ("b", 2), ("c", 3)])
        #expect(try gateway.testMetrics.expectMeter("gateway_channels", [("endpoint", "/a/{channel}")]).lastValue == 2)
        #expect(
            try gateway.counter("gateway_channel_evictions_total", [("endpoint", "/a/{channel}"), ("reason", "max_channels")]) == 1)
        let waiting = try gateway.open("/a/new")
        _ = waiting
        #expect(try gateway.testMetrics.expectMeter("gateway_channels", [("endpoint", "/a/{channel}")]).lastValue == 3)
    }

    @Test func aClientLeavingReleasesItsChannel() throws {
        let gateway = EmbeddedGateway.channels()
        let client = try gateway.open("/a/*?channels=x,y")
        #expect(gateway.endpoint.channels?.count == 2)
        try client.close().wait()
        gateway.loop.run()
        #expect(gateway.endpoint.channels?.count == 0)
    }
}
