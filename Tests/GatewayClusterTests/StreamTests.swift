import Foundation
import GatewayCluster
import GatewayServer
import NATS
import TestSupport
import Testing

@Suite(.needsNATSServer) struct StreamTests {
    static let broadcast = ClusterStreamSpec(endpoint: "/quotes", cluster: "test", replay: 100, hasChannels: false)
    static let channels = ClusterStreamSpec(endpoint: "/orders/{customer}", cluster: "test", replay: 10, hasChannels: true)

    @Test func createsTheStreamAndKeepsItsEpochWhenItsLimitsChangeOrTheServerRestarts() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let stream = try await engine.openStream(Self.broadcast)
        #expect(stream.name == "GW_test_quotes")
        #expect(stream.epoch >= before - 1000 && stream.epoch <= before + 5000)
        for index in 1...3 { _ = try await stream.publish(ClusterMessage(messageID: "m\(index)", data: "\(index)")).get() }

        var changed = Self.broadcast
        changed.replay = 2
        changed.maxAge = .seconds(3600)
        let updated = try await engine.openStream(changed)
        #expect(updated.epoch == stream.epoch)
        #expect(try await updated.bounds() == StreamBounds(first: 2, last: 3))
        let info = try #require(try await engine.connection.streamInfo("GW_test_quotes"))
        #expect(info.config.maxMessages == 2)
        #expect(info.config.maxAge == .seconds(3600))

        try server.restart()
        let reopened = try await engine.openStream(changed)
        #expect(reopened.epoch == stream.epoch)
        #expect(try await reopened.bounds() == StreamBounds(first: 2, last: 3))

        // Made again, it is a new stream: a new epoch.
        try await engine.connection.deleteStream("GW_test_quotes")
        try await Task.sleep(for: .milliseconds(5))
        let remade = try await engine.openStream(changed)
        #expect(remade.epoch > stream.epoch)
        #expect(try await remade.bounds() == StreamBounds(first: 1, last: 0))
        await engine.close()
    }

    @Test func limitsAChannelStreamPerChannel() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        var spec = Self.channels
        spec.replay = 2
        spec.maxBytes = 1 << 20
        let stream = try await engine.openStream(spec)
        let info = try #require(try await engine.connection.streamInfo(stream.name))
        #expect(info.config.subjects == ["gw.test.orders_-7Bcustomer-7D.*"])
        #expect(info.config.maxMessagesPerSubject == 2)
        #expect(info.config.maxMessages == nil)
        #expect(info.config.maxBytes == 1 << 20)
        for index in 1...6 {
            _ = try await stream.publish(ClusterMessage(messageID: "m\(index)", channel: index % 2 == 0 ? "even" : "odd", data: "\(index)")).get()
        }
        let held = try await stream.read(from: 1, channels: [], limit: 100)
        #expect(held.map(\.sequence) == [3, 4, 5, 6])
        await engine.close()
    }

    @Test func publishesHeadersAndFollowsInOrderWithChannels() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let stream = try await engine.openStream(Self.channels)
        let delivered = Delivered()
        let subscription = try stream.follow(from: 1) { delivered.append($0) }
        var sent: [StoredMessage] = []
        for index in 1...50 {
            let channel = ["a", "b", "c"][index % 3]
            let type: String? = index % 2 == 0 ? "update" : nil
            let message = ClusterMessage(messageID: "id-\(index)", channel: channel, type: type, sourceID: "src-\(index)", data: "{\"n\":\(index)}")
            let ack = try await stream.publish(message).get()
            #expect(ack == PublishAck(sequence: UInt64(index), duplicate: false))
            sent.append(StoredMessage(sequence: UInt64(index), channel: channel, type: type, sourceID: "src-\(index)", data: "{\"n\":\(index)}"))
        }
        #expect(await eventually(seconds: TestTiming.seconds(5)) { delivered.count >= 50 })
        #expect(delivered.messages == sent)
        subscription.cancel()

        // From the middle: what is stored, then what comes.
        let later = Delivered()
        let second = try stream.follow(from: 48) { later.append($0) }
        _ = try await stream.publish(ClusterMessage(messageID: "id-51", channel: "a", data: "51")).get()
        #expect(await eventually(seconds: TestTiming.seconds(5)) { later.count >= 4 })
        #expect(later.messages.map(\.sequence) == [48, 49, 50, 51])
        second.cancel()
        await engine.close()
    }

    @Test func aDuplicateMessageIDIsAckedAsADuplicateWithItsSequence() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let stream = try await engine.openStream(Self.broadcast)
        let first = try await stream.publish(ClusterMessage(messageID: "same", data: "one")).get()
        _ = try await stream.publish(ClusterMessage(messageID: "other", data: "two")).get()
        let again = try await stream.publish(ClusterMessage(messageID: "same", data: "one")).get()
        #expect(first == PublishAck(sequence: 1, duplicate: false))
        #expect(again == PublishAck(sequence: 1, duplicate: true))
        // The duplicate check comes before the expectation (nats-server 2.9.10): a resend of a
        // stored message is a duplicate even though the stream moved on.
        let resent = await stream.publish(ClusterMessage(messageID: "same", data: "one"), expectation: .lastSequence(0))
        #expect(resent == .success(PublishAck(sequence: 1, duplicate: true)))
        #expect(try await stream.bounds() == StreamBounds(first: 1, last: 2))
        await engine.close()
    }

    @Test func aWrongExpectationIsRefusedNamingTheActualLastSequence() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let stream = try await engine.openStream(Self.broadcast)
        // 0 expects an empty stream (libnats' own option would take 0 for "not set").
        #expect(try await stream.publish(ClusterMessage(messageID: "m1", data: "1"), expectation: .lastSequence(0)).get().sequence == 1)
        #expect(
            await stream.publish(ClusterMessage(messageID: "m1b", data: "x"), expectation: .lastSequence(0))
                == .failure(.wrongLastSequence(actual: 1)))
        #expect(try await stream.publish(ClusterMessage(messageID: "m2", data: "2"), expectation: .lastSequence(1)).get().sequence == 2)
        #expect(
            await stream.publish(ClusterMessage(messageID: "m3", data: "3"), expectation: .lastSequence(1)) == .failure(.wrongLastSequence(actual: 2))
        )
        #expect(try await stream.publish(ClusterMessage(messageID: "m3", data: "3"), expectation: .lastMessageID("m2")).get().sequence == 3)
        #expect(await stream.publish(ClusterMessage(messageID: "m4", data: "4"), expectation: .lastMessageID("m2")) == .failure(.wrongLastMessageID))
        #expect(try await stream.bounds() == StreamBounds(first: 1, last: 3))
        await engine.close()
    }

    @Test func readsRangesWithAndWithoutAChannelFilter() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let stream = try await engine.openStream(Self.channels)
        #expect(try await stream.bounds() == StreamBounds(first: 1, last: 0))
        #expect(try await stream.read(from: 1, channels: [], limit: 10).isEmpty)
        let channels = (0..<20).map { "c\($0)" }
        for index in 1...40 {
            _ = try await stream.publish(ClusterMessage(messageID: "m\(index)", channel: channels[index % 20], data: "\(index)")).get()
        }
        #expect(try await stream.bounds() == StreamBounds(first: 1, last: 40))
        #expect(try await stream.read(from: 1, channels: [], limit: 100).map(\.sequence) == Array(1...40))
        #expect(try await stream.read(from: 5, channels: [], limit: 3).map(\.sequence) == [5, 6, 7])
        #expect(try await stream.read(from: 41, channels: [], limit: 3).isEmpty)
        #expect(try await stream.read(from: 1, channels: ["c1"], limit: 10).map(\.sequence) == [1, 21])
        #expect(try await stream.read(from: 2, channels: ["c1", "c3", "nobody"], limit: 10).map(\.sequence) == [3, 21, 23])
        #expect(try await stream.read(from: 1, channels: ["c1", "c3"], limit: 3).map(\.sequence) == [1, 3, 21])
        // Past 16 channels, one scan of the stream filtered here.
        let many = Array(channels[0..<18])
        let expected = (1...40).filter { $0 % 20 < 18 }.map(UInt64.init)
        #expect(try await stream.read(from: 1, channels: many, limit: 100).map(\.sequence) == expected)
        #expect(try await stream.read(from: 1, channels: many, limit: 5).map(\.sequence) == Array(expected.prefix(5)))
        let read = try await stream.read(from: 21, channels: ["c1"], limit: 1)
        #expect(read == [StoredMessage(sequence: 21, channel: "c1", data: "21")])
        await engine.close()
    }

    static let awkwardChannels = ["a.b", "café / 1", "*", ">", "a b", "日本", "%41", "-_", "x.>.*", "🙂"]

    @Test func awkwardChannelNamesComeBackThroughSubjects() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let stream = try await engine.openStream(Self.channels)
        let delivered = Delivered()
        let subscription = try stream.follow(from: 1) { delivered.append($0) }
        for (index, channel) in Self.awkwardChannels.enumerated() {
            _ = try await stream.publish(ClusterMessage(messageID: "m\(index)", channel: channel, data: channel)).get()
        }
        #expect(await eventually(seconds: TestTiming.seconds(5)) { delivered.count >= Self.awkwardChannels.count })
        #expect(delivered.messages.map(\.channel) == Self.awkwardChannels)
        for (index, channel) in Self.awkwardChannels.enumerated() {
            let read = try await stream.read(from: 1, channels: [channel], limit: 10)
            #expect(read.map(\.sequence) == [UInt64(index + 1)], "channel \(channel)")
            #expect(read.first?.channel == channel)
        }
        subscription.cancel()
        await engine.close()
    }

    @Test func aPublishWithoutTheRightChannelIsRefused() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        let channels = try await engine.openStream(Self.channels)
        let broadcast = try await engine.openStream(Self.broadcast)
        guard case .failure(.failed) = await channels.publish(ClusterMessage(messageID: "x", data: "no channel")) else {
            Issue.record("a channel endpoint took an event without a channel")
            return
        }
        guard case .failure(.failed) = await broadcast.publish(ClusterMessage(messageID: "y", channel: "c", data: "channel")) else {
            Issue.record("a broadcast endpoint took an event with a channel")
            return
        }
        await engine.close()
    }

    @Test func asksForTheSpecsReplicas() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server)
        #expect(try await engine.connection.streamInfo(try await engine.openStream(Self.broadcast).name)?.config.replicas == 1)
        // One server keeps one copy: it refuses more, in its own words.
        var three = Self.channels
        three.replicas = 3
        do {
            _ = try await engine.openStream(three)
            Issue.record("a single server took 3 replicas")
        } catch let error as ClusterError {
            guard case .failed(let text) = error else {
                Issue.record("openStream: \(error)")
                return
            }
            #expect(text.contains("replicas"))
        }
        await engine.close()
    }

    @Test func anUnreachableEngineSaysSo() async throws {
        let server = try NATSServerProcess()
        let engine = try makeEngine(server, requestTimeout: .milliseconds(500))
        let stream = try await engine.openStream(Self.broadcast)
        server.kill()
        #expect(await eventually(seconds: TestTiming.seconds(5)) { !engine.isConnected })
        await #expect(throws: ClusterError.self) { try await engine.openStream(Self.broadcast) }
        do {
            _ = try await engine.openStream(Self.broadcast)
        } catch let error as ClusterError {
            guard case .unreachable = error else {
                Issue.record("openStream: \(error)")
                return
            }
        }
        guard case .failure(.unreachable) = await stream.publish(ClusterMessage(messageID: "z", data: "lost")) else {
            Issue.record("a publish to a dead server did not fail as unreachable")
            return
        }
        await engine.close()
    }
}
