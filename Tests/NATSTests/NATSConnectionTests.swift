import Foundation
import NATS
import TestSupport
import Testing

@Suite(.needsNATSServer) struct NATSConnectionTests {
    @Test func createsAStreamPublishesAndReadsBack() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        #expect(nats.isConnected)
        let info = try await nats.ensureStream(JetStreamStreamConfig(name: "ORDERS", subjects: ["orders.>"], maxMessages: 100))
        #expect(info.created > 0)
        #expect(info.lastSequence == 0)
        #expect(info.firstSequence == 1)
        for index in 1...5 {
            let ack = try await publish(
                nats,
                JetStreamPublish(
                    subject: "orders.\(index % 2)", headers: [NATSHeader("Kind", "k\(index)")], payload: Array("m\(index)".utf8),
                    messageID: "id-\(index)")
            ).get()
            #expect(ack == JetStreamAck(stream: "ORDERS", sequence: UInt64(index), duplicate: false))
        }
        let all = try await nats.read(stream: "ORDERS", subject: "orders.>", from: 1, limit: 100)
        #expect(all.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(all.map { String(decoding: $0.payload, as: UTF8.self) } == ["m1", "m2", "m3", "m4", "m5"])
        #expect(all[0].headers.value(of: "Kind") == "k1")
        let odd = try await nats.read(stream: "ORDERS", subject: "orders.1", from: 2, limit: 100)
        #expect(odd.map(\.sequence) == [3, 5])
        let two = try await nats.read(stream: "ORDERS", subject: "orders.>", from: 2, limit: 2)
        #expect(two.map(\.sequence) == [2, 3])
        let none = try await nats.read(stream: "ORDERS", subject: "orders.>", from: 6, limit: 10)
        #expect(none.isEmpty)
        await nats.close()
        #expect(!nats.isConnected)
    }

    @Test func readsMoreThanOneFetchHoldsAndDeletesItsConsumers() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        _ = try await nats.ensureStream(JetStreamStreamConfig(name: "MANY", subjects: ["many"]))
        let total = NATSConnection.readBatch * 2 + 500
        let acked = Locked(0)
        for index in 0..<total {
            nats.publish(JetStreamPublish(subject: "many", payload: Array("\(index)".utf8))) { result in
                if case .success = result { acked.withLock { $0 += 1 } }
            }
        }
        #expect(await eventually(seconds: TestTiming.seconds(10)) { acked.withLock { $0 } == total })
        let all = try await nats.read(stream: "MANY", subject: "many", from: 1, limit: total + 10)
        #expect(all.map(\.sequence) == Array(1...UInt64(total)))
        let some = try await nats.read(stream: "MANY", subject: "many", from: 100, limit: NATSConnection.readBatch + 1)
        #expect(some.map(\.sequence) == Array(100...UInt64(100 + NATSConnection.readBatch)))
        // Each read's consumer is deleted right after it answers.
        var consumers = -1
        for _ in 0..<200 {
            consumers = try await nats.consumerCount("MANY")
            if consumers == 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(consumers == 0)
        await nats.close()
    }

    @Test func reportsAMissingStreamAsNil() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        #expect(try await nats.streamInfo("NOPE") == nil)
        await nats.close()
    }

    @Test func startsWithoutAServerAndConnectsWhenOneComes() async throws {
        let server = try NATSServerProcess()
        let url = server.url
        server.kill()
        let events = Locked<[NATSConnectionEvent]>([])
        let nats = try NATSConnection(options: NATSOptions(urls: [url], reconnectWait: .milliseconds(20), maxReconnectWait: .milliseconds(100)))
        nats.onEvent { event in events.withLock { $0.append(event) } }
        #expect(!nats.isConnected)
        try server.restart()
        #expect(await eventually { nats.isConnected })
        #expect(await eventually { events.withLock { $0.contains(.connected) } })
        server.kill()
        #expect(await eventually { events.withLock { $0.contains(.disconnected) } })
        try server.restart()
        #expect(await eventually { events.withLock { $0.contains(.reconnected) } })
        await nats.close()
        #expect(events.withLock { $0.last } == .closed)
    }

    @Test func coreSubscriptionsCopyMessagesOut() async throws {
        let server = try NATSServerProcess()
        let nats = try connect(server)
        let received = Locked<[NATSMessage]>([])
        let subscription = try nats.subscribe(subject: "events.*") { message in received.withLock { $0.append(message) } }
        try await Task.sleep(for: .milliseconds(50))  // the SUB reaches the server
        try nats.publish(subject: "events.a", headers: [NATSHeader("Gateway-Event", "tick")], payload: Array("one".utf8))
        try nats.publish(subject: "events.b", payload: Array("two".utf8))
        #expect(await eventually { received.withLock { $0.count } == 2 })
        let messages = received.withLock { $0 }
        #expect(messages.map(\.subject) == ["events.a", "events.b"])
        #expect(messages[0].headers.value(of: "Gateway-Event") == "tick")
        #expect(messages[1].payload == Array("two".utf8))
        subscription.cancel()
        try nats.publish(subject: "events.c", payload: [])
        try await Task.sleep(for: .milliseconds(50))
        #expect(received.withLock { $0.count } == 2)
        await nats.close()
    }
}
