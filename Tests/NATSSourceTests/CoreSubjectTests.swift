import GatewayPlugin
import NATS
import NATSSource
import TestSupport
import Testing

/// `{ type: nats, subject: … }` against a real `nats-server`: what another client publishes
/// arrives as events.
@Suite(.needsNATSServer) struct CoreSubjectTests {
    @Test func messagesPublishedOnMatchingSubjectsArriveInOrderWithTypesAndIDsFromHeaders() async throws {
        let server = try NATSServerProcess()
        let source = SourceUnderTest(try natsSource("{ subject: 'orders.>', url: '\(server.url)' }"))
        #expect(await source.ready(), "\(server.log)")
        let nats = try publisher(server)
        try nats.publish(
            subject: "orders.eu.created", headers: [NATSHeader("Gateway-Event", "created"), NATSHeader("Gateway-Id", "o-1")],
            payload: Array("{\"order\":1}".utf8))
        try nats.publish(subject: "other.subject", payload: Array("not for us".utf8))
        try nats.publish(subject: "orders.us", payload: Array("plain".utf8))
        try nats.publish(subject: "orders.eu.paid", headers: [NATSHeader("Gateway-Id", "o-1")], payload: Array("paid".utf8))
        let events = await source.events(count: 3)
        #expect(
            events == [
                Event(id: "o-1", event: "created", data: "{\"order\":1}"), Event(data: "plain"), Event(id: "o-1", data: "paid"),
            ])
        #expect(try await source.stop() == .finished)
        await nats.close()
    }

    @Test func eventAndIDHeaderOptionsOverrideTheHeaders() async throws {
        let server = try NATSServerProcess()
        let source = SourceUnderTest(try natsSource("{ subject: 'orders.*', url: '\(server.url)', event: order, id_header: Order-Id }"))
        #expect(await source.ready())
        let nats = try publisher(server)
        let headers = [NATSHeader("Gateway-Event", "created"), NATSHeader("Gateway-Id", "g-1"), NATSHeader("Order-Id", "o-9")]
        try nats.publish(subject: "orders.created", headers: headers, payload: Array("a".utf8))
        try nats.publish(subject: "orders.created", headers: [NATSHeader("Gateway-Id", "g-2")], payload: Array("b".utf8))
        #expect(await source.events(count: 2) == [Event(id: "o-9", event: "order", data: "a"), Event(event: "order", data: "b")])
        _ = try await source.stop()
        await nats.close()
    }

    @Test func aPayloadThatIsNotUTF8OrTooLargeIsDroppedAndCountedAndTheRestGoesOn() async throws {
        let server = try NATSServerProcess()
        let source = SourceUnderTest(try natsSource("{ subject: 'bytes', url: '\(server.url)' }"), maxEventSize: 8)
        #expect(await source.ready())
        let nats = try publisher(server)
        try nats.publish(subject: "bytes", payload: Array("before".utf8))
        try nats.publish(subject: "bytes", payload: [0x61, 0xFF, 0x62])
        try nats.publish(subject: "bytes", payload: Array("much too large".utf8))
        try nats.publish(subject: "bytes", payload: Array("after".utf8))
        #expect(await source.events(count: 2) == [Event(data: "before"), Event(data: "after")])
        #expect(source.recording.drops == ["invalid_utf8", "too_large"])
        _ = try await source.stop()
        await nats.close()
    }

    @Test func messagesThatArriveTogetherAreEmittedInBatchesInOrder() async throws {
        let server = try NATSServerProcess()
        let source = SourceUnderTest(try natsSource("{ subject: 'burst', url: '\(server.url)' }"))
        #expect(await source.ready())
        let nats = try publisher(server)
        for index in 0..<5000 { try nats.publish(subject: "burst", payload: Array("\(index)".utf8)) }
        let events = await source.events(count: 5000)
        #expect(events.map(\.data) == (0..<5000).map { "\($0)" })
        #expect(source.batches < 5000)
        _ = try await source.stop()
        await nats.close()
    }

    @Test func aSourceStartedBeforeItsServerBecomesReadyOnceItConnectsAndCountsALostConnection() async throws {
        let server = try NATSServerProcess()
        server.kill()
        let source = SourceUnderTest(try natsSource("{ subject: 'late', url: '\(server.url)' }"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(source.recording.readyCount == 0)
        try server.restart()
        #expect(await source.ready())
        let nats = try publisher(server)
        try nats.publish(subject: "late", payload: Array("hello".utf8))
        #expect(await source.events(count: 1) == [Event(data: "hello")])
        server.kill()
        #expect(await eventually(seconds: TestTiming.seconds(10)) { source.recording.reconnects.contains("disconnected") })
        _ = try await source.stop()
        await nats.close()
    }

    @Test func cancellingStopsPromptlyAndNothingArrivesAfter() async throws {
        let server = try NATSServerProcess()
        let source = SourceUnderTest(try natsSource("{ subject: 'after', url: '\(server.url)' }"))
        #expect(await source.ready())
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try await source.stop() == .finished)
        #expect(clock.now - started < .seconds(TestTiming.seconds(3)))
        let nats = try publisher(server)
        try nats.publish(subject: "after", payload: Array("late".utf8))
        try await nats.flush()
        try await Task.sleep(for: .milliseconds(100))
        #expect(source.recording.events.isEmpty)
        // Its own close is no lost connection.
        #expect(source.recording.reconnects.isEmpty)
        await nats.close()
    }
}
