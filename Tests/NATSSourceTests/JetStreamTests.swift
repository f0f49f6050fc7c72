import GatewayPlugin
import NATS
import NATSSource
import TestSupport
import Testing

/// `{ type: nats, stream: … }` against a real `nats-server`: a stream the test creates, read
/// from where `deliver` says.
@Suite(.needsNATSServer) struct JetStreamTests {
    static let orders = JetStreamStreamConfig(name: "ORDERS", subjects: ["orders.>"])
    /// What ORDERS holds before a source starts: 1…4, alternating between two subjects.
    static let held = [("orders.eu", "1"), ("orders.us", "2"), ("orders.eu", "3"), ("orders.us", "4")]

    /// Starts a source with `options` on ORDERS holding ``held``; once it is ready publishes
    /// "5" (orders.eu) and "6" (orders.us); returns the data of the events it got once one is
    /// `until` (and 100 ms more, for any that should not come).
    static func read(_ options: String, until last: String = "6") async throws -> [String] {
        let server = try NATSServerProcess()
        let nats = try publisher(server)
        _ = try await nats.ensureStream(orders)
        for (subject, data) in held { try await publish(nats, subject, data) }
        let source = SourceUnderTest(try natsSource("{ stream: ORDERS, url: '\(server.url)', \(options) }"))
        #expect(await source.ready(), "\(server.log)")
        try await publish(nats, "orders.eu", "5")
        try await publish(nats, "orders.us", "6")
        #expect(await eventually(seconds: TestTiming.seconds(10)) { source.recording.events.contains { $0.data == last } })
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await source.stop() == .finished)
        await nats.close()
        return source.recording.events.map(\.data)
    }

    @Test func deliverAllReadsEveryMessageHeldThenTheNewOnes() async throws {
        #expect(try await Self.read("deliver: all") == ["1", "2", "3", "4", "5", "6"])
    }

    @Test func deliverNewIsTheDefaultAndReadsOnlyWhatIsStoredAfterTheStart() async throws {
        #expect(try await Self.read("deliver: new") == ["5", "6"])
        #expect(try await Self.read("subject: 'orders.>'") == ["5", "6"])
    }

    @Test func deliverLastStartsWithTheNewestMessage() async throws {
        #expect(try await Self.read("deliver: last") == ["4", "5", "6"])
        #expect(try await Self.read("subject: 'orders.*', deliver: last") == ["4", "5", "6"])
    }

    @Test func aFilterSubjectSelectsMessagesAndLastIsTheNewestThatMatches() async throws {
        #expect(try await Self.read("subject: orders.eu, deliver: all", until: "5") == ["1", "3", "5"])
        #expect(try await Self.read("subject: orders.eu, deliver: last", until: "5") == ["3", "5"])
    }

    @Test func withoutASubjectEveryMessageOfAStreamWithSeveralSubjectsIsRead() async throws {
        let server = try NATSServerProcess()
        let nats = try publisher(server)
        _ = try await nats.ensureStream(JetStreamStreamConfig(name: "MIXED", subjects: ["a.>", "b"]))
        try await publish(nats, "a.one", "1")
        try await publish(nats, "b", "2")
        try await publish(nats, "a.two.three", "3")
        let source = SourceUnderTest(try natsSource("{ stream: MIXED, deliver: all, url: '\(server.url)' }"))
        #expect(await source.events(count: 3).map(\.data) == ["1", "2", "3"])
        _ = try await source.stop()
        await nats.close()
    }

    @Test func headersGiveTypesAndIDsAndAMessageWithoutAnIDHeaderHasNoID() async throws {
        let server = try NATSServerProcess()
        let nats = try publisher(server)
        _ = try await nats.ensureStream(Self.orders)
        try await publish(nats, "orders.eu", "a", headers: [NATSHeader("Gateway-Event", "created"), NATSHeader("Gateway-Id", "o-1")])
        try await publish(nats, "orders.eu", "b", headers: [NATSHeader("Gateway-Event", "paid")])
        try await publish(nats, "orders.eu", "c", headers: [NATSHeader("Order-Id", "o-3")])
        let plain = SourceUnderTest(try natsSource("{ stream: ORDERS, deliver: all, url: '\(server.url)' }"))
        #expect(
            await plain.events(count: 3) == [Event(id: "o-1", event: "created", data: "a"), Event(event: "paid", data: "b"), Event(data: "c")])
        let overridden = SourceUnderTest(try natsSource("{ stream: ORDERS, deliver: all, url: '\(server.url)', event: order, id_header: Order-Id }"))
        #expect(
            await overridden.events(count: 3) == [
                Event(event: "order", data: "a"), Event(event: "order", data: "b"), Event(id: "o-3", event: "order", data: "c"),
            ])
        _ = try await plain.stop()
        _ = try await overridden.stop()
        await nats.close()
    }

    @Test func aStreamMadeAfterTheSourceStartsIsReadFromItsBeginning() async throws {
        let server = try NATSServerProcess()
        let source = SourceUnderTest(try natsSource("{ stream: ORDERS, url: '\(server.url)' }"))
        #expect(await eventually(seconds: TestTiming.seconds(10)) { source.recording.reconnects.contains("stream_not_found") })
        #expect(source.recording.readyCount == 0)
        let nats = try publisher(server)
        _ = try await nats.ensureStream(Self.orders)
        try await publish(nats, "orders.eu", "first")
        try await publish(nats, "orders.eu", "second")
        #expect(await source.events(count: 2).map(\.data) == ["first", "second"])
        #expect(source.recording.readyCount > 0)
        _ = try await source.stop()
        await nats.close()
    }

    @Test func anInvalidPayloadIsDroppedAndCountedAndTheStreamGoesOn() async throws {
        let server = try NATSServerProcess()
        let nats = try publisher(server)
        _ = try await nats.ensureStream(Self.orders)
        try await publish(nats, "orders.eu", "ok")
        let result = await withCheckedContinuation { continuation in
            nats.publish(JetStreamPublish(subject: "orders.eu", payload: [0xC3, 0x28])) { continuation.resume(returning: $0) }
        }
        _ = try result.get()
        try await publish(nats, "orders.eu", "still ok")
        let source = SourceUnderTest(try natsSource("{ stream: ORDERS, deliver: all, url: '\(server.url)' }"))
        #expect(await source.events(count: 2).map(\.data) == ["ok", "still ok"])
        #expect(source.recording.drops == ["invalid_utf8"])
        _ = try await source.stop()
        await nats.close()
    }

    @Test func aServerRestartLosesAndRepeatsNothing() async throws {
        let server = try NATSServerProcess()
        let nats = try publisher(server)
        _ = try await nats.ensureStream(Self.orders)
        for index in 1...3 { try await publish(nats, "orders.eu", "\(index)") }
        let source = SourceUnderTest(try natsSource("{ stream: ORDERS, deliver: all, url: '\(server.url)' }"))
        #expect(await source.events(count: 3).count == 3)
        try server.restart()
        #expect(await eventually(seconds: TestTiming.seconds(10)) { source.recording.reconnects.contains("disconnected") })
        #expect(await eventually(seconds: TestTiming.seconds(10)) { nats.isConnected })
        for index in 4...6 {
            // The publisher may still be reconnecting: retry until the stream takes it.
            var stored = false
            for _ in 0..<100 where !stored {
                stored = (try? await publish(nats, "orders.eu", "\(index)")) != nil
                if !stored { try await Task.sleep(for: .milliseconds(50)) }
            }
        }
        #expect(await source.events(count: 6).map(\.data) == ["1", "2", "3", "4", "5", "6"])
        _ = try await source.stop()
        await nats.close()
    }
}
