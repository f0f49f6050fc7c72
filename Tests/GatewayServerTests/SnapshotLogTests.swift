import GatewayPlugin
import NIOCore
import Testing

@testable import GatewayServer

@Suite struct SnapshotLogTests {
    let stamper = IDStamper(mode: .sequence, epoch: 7)

    /// Event `sequence` of type `type` with snapshot key `key`, its data `key=v`.
    func event(_ sequence: UInt64, key: String?, type: String = "updated", channel: String? = nil) -> PublishedEvent {
        let id = stamper.id(for: Event(data: ""), sequence: sequence)
        let (chunk, offset) = ChunkFraming.encode(Event(id: id, event: type, data: "\(key ?? "-")@\(sequence)"), allocator: ByteBufferAllocator())
        return PublishedEvent(sequence: sequence, id: id, type: type, chunk: chunk, payloadOffset: offset, channel: channel, snapshotKey: key)
    }

    func log(maxKeys: Int = 100, endEvent: String? = "snapshot-end", window: Int? = nil) -> SnapshotLog {
        SnapshotLog(
            wrapping: MemoryLog(replay: 1000, stamper: stamper, retention: .countOnly),
            settings: SnapshotSettings(key: .id, deleteOn: ["deleted"], maxKeys: maxKeys, endEvent: endEvent), window: window)
    }

    /// Everything a fresh client reads, as `(sequence, type)`, until it has caught up.
    func readAll(_ cursor: LogCursor) -> [(UInt64, String)] {
        var next = cursor.resume.start
        var read: [(UInt64, String)] = []
        var rounds = 0
        while rounds < 1000 {
            rounds += 1
            var events: [PublishedEvent] = []
            guard case .served = cursor.reader.read(from: next, maxBytes: 64, into: &events), !events.isEmpty else { break }
            for event in events {
                read.append((event.sequence, event.type))
                next = event.sequence + 1
            }
        }
        return read
    }

    @Test func aFreshClientReadsTheLatestPerKeyInOrderThenTheEndThenWhatCameAfter() {
        let log = log()
        log.append([event(1, key: "a"), event(2, key: "b"), event(3, key: "c"), event(4, key: "a"), event(5, key: "b", type: "deleted"), event(6, key: nil)])
        let cursor = log.open(channels: [], lastEventID: nil, fromOldest: false, loop: 0)
        // Appended after the client was placed: live, after the end.
        log.append([event(7, key: "c"), event(8, key: "d")])
        let read = readAll(cursor)
        #expect(read.map(\.0) == [3, 4, 6, 7, 8])
        #expect(read.map(\.1) == ["updated", "updated", "snapshot-end", "updated", "updated"])
    }

    @Test func theEndCarriesTheNewestIDSoAReconnectResumesRightAfterTheState() {
        let log = log()
        log.append([event(1, key: "a"), event(2, key: "a", type: "deleted")])
        let cursor = log.open(channels: [], lastEventID: nil, fromOldest: false, loop: 0)
        var events: [PublishedEvent] = []
        _ = cursor.reader.read(from: cursor.resume.start, maxBytes: 1 << 16, into: &events)
        #expect(events.count == 1)
        #expect(events[0].type == "snapshot-end")
        #expect(events[0].id == "7-2")
        let text = String(buffer: events[0].payload)
        #expect(text == "id: 7-2\nevent: snapshot-end\ndata: {\"events\":0}\n\n")
    }

    @Test func withoutAnEndEventTheClientGoesFromTheStateStraightToTheLog() {
        let log = log(endEvent: nil)
        log.append([event(1, key: "a"), event(2, key: "b"), event(3, key: "a")])
        let cursor = log.open(channels: [], lastEventID: nil, fromOldest: false, loop: 0)
        log.append([event(4, key: "c")])
        #expect(readAll(cursor).map(\.0) == [2, 3, 4])
        let empty = self.log(endEvent: nil)
        let fresh = empty.open(channels: [], lastEventID: nil, fromOldest: false, loop: 0)
        empty.append([event(1, key: "z")])
        #expect(readAll(fresh).map(\.0) == [1])
    }

    @Test func aClientThatResumesGetsTheUsualReplay() {
        let log = log()
        log.append([event(1, key: "a"), event(2, key: "b"), event(3, key: "a")])
        let cursor = log.open(channels: [], lastEventID: "7-1", fromOldest: false, loop: 0)
        #expect(readAll(cursor).map(\.0) == [2, 3])
    }

    @Test func pastMaxKeysTheLeastRecentlyUpdatedGoes() {
        let evicted = Counter()
        let log = SnapshotLog(
            wrapping: MemoryLog(replay: 1000, stamper: stamper), settings: SnapshotSettings(key: .id, maxKeys: 2, endEvent: nil),
            evicted: { evicted.add($0) })
        log.append([event(1, key: "a"), event(2, key: "b"), event(3, key: "a"), event(4, key: "c")])
        let cursor = log.open(channels: [], lastEventID: nil, fromOldest: false, loop: 0)
        #expect(readAll(cursor).map(\.0) == [3, 4])
        #expect(evicted.value == 1)
    }

    @Test func onAClusterAKeyWhoseLatestEventLeftTheStreamIsForgotten() {
        let log = log(window: 3)
        log.append([event(1, key: "a"), event(2, key: "b"), event(3, key: "c"), event(4, key: "b"), event(5, key: "d")])
        // The stream keeps events 3...5: `a` is gone from it, so from every instance's state.
        let cursor = log.open(channels: [], lastEventID: nil, fromOldest: false, loop: 0)
        #expect(readAll(cursor).map(\.0) == [3, 4, 5, 5])
    }

    @Test func aChannelsStateIsItsOwnAndSeveralChannelsMergeInOrder() {
        let log = SnapshotLog(
            wrapping: Channels(replay: 100, maxChannels: 10, replayBytes: nil, stamper: stamper),
            settings: SnapshotSettings(key: .id, endEvent: "end"))
        log.append([
            event(1, key: "a", channel: "x"), event(2, key: "a", channel: "y"), event(3, key: "b", channel: "x"),
            event(4, key: "a", channel: "x"),
        ])
        #expect(readAll(log.open(channels: ["x"], lastEventID: nil, fromOldest: false, loop: 0)).map(\.0) == [3, 4, 4])
        #expect(readAll(log.open(channels: ["y"], lastEventID: nil, fromOldest: false, loop: 0)).map(\.0) == [2, 4])
        #expect(readAll(log.open(channels: ["x", "y"], lastEventID: nil, fromOldest: false, loop: 0)).map(\.0) == [2, 3, 4, 4])
    }

    @Test func manyUpdatesOfFewKeysKeepTheStoreSmall() {
        var store = SnapshotStore(maxKeys: 10)
        for sequence in UInt64(1)...20_000 {
            _ = store.apply(event(sequence, key: "k\(sequence % 5)"), key: "k\(sequence % 5)", removes: false)
        }
        #expect(store.count == 5)
        #expect(store.events(in: SnapshotStore.broadcast).map(\.sequence) == [19_996, 19_997, 19_998, 19_999, 20_000])
    }

    final class Counter: @unchecked Sendable {
        private(set) var value = 0
        func add(_ count: Int) { value += count }
    }
}
