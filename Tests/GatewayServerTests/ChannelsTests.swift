import GatewayPlugin
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import GatewayServer

/// An event of run 1000 numbered `sequence`, published to `channel`.
func published(_ sequence: UInt64, channel: String) -> PublishedEvent {
    var event = published(sequence)
    event.channel = channel
    return event
}

/// Channels of run 1000, by count alone unless a test gives a retention.
func channels(
    replay: Int = 3, maxChannels: Int = 100, replayBytes: Int? = nil, mode: EndpointSettings.IDs = .sequence,
    retention: MemoryLog.Retention = .countOnly, now: @escaping @Sendable () -> UInt64 = { 0 },
    evicted: @escaping @Sendable (Channels.Eviction) -> Void = { _ in }
) -> Channels {
    Channels(
        replay: replay, maxChannels: maxChannels, replayBytes: replayBytes, stamper: IDStamper(mode: mode, epoch: 1000),
        retention: retention, evicted: evicted, now: now)
}

extension EventLogReader {
    func sequences(from next: UInt64, maxBytes: Int = .max) -> [UInt64]? {
        var events: [PublishedEvent] = []
        return read(from: next, maxBytes: maxBytes, into: &events) == .served ? events.map(\.sequence) : nil
    }
}

@Suite struct ChannelsTests {
    /// Events 1…12 alternating a, b, c: a has 1, 4, 7, 10; b 2, 5, 8, 11; c 3, 6, 9, 12.
    func abc(replay: Int = 3) -> Channels {
        let log = channels(replay: replay)
        log.append((1...12).map { published($0, channel: ["a", "b", "c"][Int($0 - 1) % 3]) })
        return log
    }

    @Test func aChannelKeepsItsOwnLastReplayEventsAndAReaderSeesOnlyThem() {
        let log = abc()
        let a = log.open(channels: ["a"], lastEventID: nil, fromOldest: false, loop: 0)
        #expect(a.resume == .from(13, askedToResume: false))
        #expect(a.reader.sequences(from: 1) == nil, "1 has left channel a")
        #expect(a.reader.sequences(from: 4) == [4, 7, 10])
        #expect(a.reader.sequences(from: 5) == [7, 10], "a cursor between two of its events")
        #expect(a.reader.sequences(from: 13) == [])
        #expect(log.summary(of: "a") == Channels.Summary(name: "a", clients: 1, published: 4, held: 3))
    }

    @Test func aQuietChannelKeepsItsEventsWhateverTheOthersPublish() {
        let log = channels(replay: 2)
        log.append([published(1, channel: "quiet"), published(2, channel: "quiet")])
        log.append((3...1000).map { published($0, channel: "busy") })
        let quiet = log.open(channels: ["quiet"], lastEventID: "1000-1", fromOldest: false, loop: 0)
        #expect(quiet.resume == .from(2, askedToResume: true))
        #expect(quiet.reader.sequences(from: quiet.resume.start) == [2])
    }

    @Test func resumingWithinAChannelFollowsSPECRules() {
        let log = abc()
        func resume(_ id: String?, _ channel: String = "a") -> Resume {
            let cursor = log.open(channels: [channel], lastEventID: id, fromOldest: false, loop: 0)
            defer { log.close(cursor) }
            return cursor.resume
        }
        func gap(_ reason: Gap.Reason, _ id: String, start: UInt64, oldest: String? = "1000-4", channel: String = "a") -> Resume {
            Resume(start: start, askedToResume: true, gap: Gap(reason: reason, lastEventID: id, oldestID: oldest, channel: channel))
        }
        #expect(resume("1000-7") == .from(8, askedToResume: true))
        #expect(resume("1000-10") == .from(11, askedToResume: true))
        #expect(resume("1000-12") == .from(13, askedToResume: true), "an id of another channel, newer than a's newest")
        #expect(resume("1000-5") == .from(6, askedToResume: true), "an id of channel b is placed by its number")
        #expect(resume("1000-3") == .from(4, askedToResume: true), "nothing of a between 3 and the oldest held")
        #expect(resume("1000-1") == .from(2, askedToResume: true), "1 has gone, but it is the client's own last event")
        #expect(resume("1000-0") == gap(.tooOld, "1000-0", start: 4), "1 has gone and the client has not seen it")
        #expect(resume("999-50") == gap(.earlierRun, "999-50", start: 4))
        #expect(resume("1000-13") == gap(.unknownID, "1000-13", start: 13))
        #expect(resume("x") == gap(.unknownID, "x", start: 13))
        // A channel with nothing yet: any id of this run is exact; the stream waits for its events.
        #expect(resume("1000-2", "new") == .from(3, askedToResume: true))
    }

    @Test func resumingWithSourceIDsLooksWithinTheChannelsWindow() {
        let log = channels(replay: 2, mode: .source)
        log.append((1...6).map { published($0, channel: $0 % 2 == 0 ? "even" : "odd") })
        let exact = log.open(channels: ["even"], lastEventID: "1000-4", fromOldest: false, loop: 0)
        #expect(exact.resume == .from(5, askedToResume: true))
        let other = log.open(channels: ["even"], lastEventID: "1000-5", fromOldest: false, loop: 0)
        #expect(other.resume.gap?.reason == .unknownID, "an id of another channel cannot be placed with source ids")
        #expect(other.resume.start == 7)
    }

    @Test func severalChannelsAreMergedInSequenceOrderEachFromItsOwnStart() {
        let log = abc()
        // Both resume exactly after 7: a holds 4, 7, 10 and c holds 6, 9, 12 (3 has gone, but it is before 7).
        let cursor = log.open(channels: ["a", "c"], lastEventID: "1000-7", fromOldest: false, loop: 0)
        #expect(cursor.resume.gaps.isEmpty)
        #expect(cursor.resume.start == 8)
        #expect(cursor.reader.sequences(from: cursor.resume.start) == [9, 10, 12])
        // After 1, a misses nothing but c has lost 3: c is replayed what it holds, with a gap notice.
        let old = log.open(channels: ["c", "a"], lastEventID: "1000-1", fromOldest: false, loop: 0)
        #expect(old.resume.gaps.map(\.channel) == ["c"])
        #expect(old.resume.gaps.map(\.reason) == [.tooOld])
        #expect(old.resume.start == 2)
        #expect(old.reader.sequences(from: old.resume.start) == [4, 6, 7, 9, 10, 12])
    }

    @Test func aMergedReadWithinItsByteBudgetStaysInOrderAndComplete() {
        let log = abc(replay: 4)
        let cursor = log.open(channels: ["a", "b", "c"], lastEventID: "1000-0", fromOldest: false, loop: 0)
        #expect(cursor.resume == .from(1, askedToResume: true))
        let size = published(10, channel: "a").chunk.readableBytes
        var next: UInt64 = 1
        var seen: [UInt64] = []
        for _ in 0..<20 {
            guard let part = cursor.reader.sequences(from: next, maxBytes: 2 * size), let last = part.last else { break }
            #expect(part.count <= 2)
            seen += part
            next = last + 1
        }
        #expect(seen == Array(1...12))
    }

    @Test func aReaderWhoseNextEventLeftItsChannelIsTold() {
        let log = abc()
        let a = log.open(channels: ["a"], lastEventID: nil, fromOldest: false, loop: 0)
        #expect(a.reader.sequences(from: 1) == nil, "1 has gone")
        #expect(a.reader.sequences(from: 2) == [4, 7, 10], "1 has gone, but a reader from 2 on missed nothing")
    }

    @Test func beyondMaxChannelsTheLeastRecentlyPublishedChannelIsDroppedAndCounted() {
        let evictions = NIOLockedValueBox<[Channels.Eviction]>([])
        let log = channels(replay: 10, maxChannels: 2, evicted: { reason in evictions.withLockedValue { $0.append(reason) } })
        log.append([published(1, channel: "a"), published(2, channel: "b"), published(3, channel: "a")])
        log.append([published(4, channel: "c")])
        #expect(evictions.withLockedValue { $0 } == [.maxChannels])
        #expect(log.summary(of: "b") == nil, "b was published least recently")
        #expect(log.summary(of: "a")?.held == 2)
        #expect(log.count == 2)
        // A resume into b, which was forgotten, cannot be trusted below its newest event.
        let b = log.open(channels: ["b"], lastEventID: "1000-1", fromOldest: false, loop: 0)
        #expect(b.resume.gap?.reason == .tooOld)
        #expect(b.resume.start == 5)
        let after = log.open(channels: ["b"], lastEventID: "1000-2", fromOldest: false, loop: 0)
        #expect(after.resume == .from(3, askedToResume: true))
    }

    @Test func aDroppedChannelWithClientsStaysEmptySoABehindClientIsCutOff() {
        let log = channels(replay: 10, maxChannels: 1)
        log.append([published(1, channel: "a"), published(2, channel: "a")])
        let upToDate = log.open(channels: ["a"], lastEventID: nil, fromOldest: false, loop: 0)
        let behind = log.open(channels: ["a"], lastEventID: "1000-1", fromOldest: false, loop: 0)
        #expect(behind.resume == .from(2, askedToResume: true))
        log.append([published(3, channel: "b")])
        #expect(log.summary(of: "a")?.held == 0)
        #expect(behind.reader.sequences(from: 2) == nil, "event 2 was dropped with the channel")
        #expect(upToDate.reader.sequences(from: 3) == [])
        log.append([published(4, channel: "a")])
        #expect(upToDate.reader.sequences(from: 3) == [4], "the channel goes on under its name")
        log.close(upToDate)
        log.close(behind)
    }

    @Test func replayBytesDropsTheLeastRecentlyPublishedChannelsFirst() {
        let size = Channels.cost(of: published(10, channel: "a"))
        let evictions = NIOLockedValueBox<[Channels.Eviction]>([])
        let log = channels(
            replay: 10, replayBytes: 5 * size, evicted: { reason in evictions.withLockedValue { $0.append(reason) } })
        log.append((1...4).map { published($0, channel: "old") })
        log.append((5...7).map { published($0, channel: "new") })
        #expect(log.summary(of: "old") == nil)
        #expect(log.summary(of: "new")?.held == 3)
        #expect(evictions.withLockedValue { $0 } == [.replayBytes])
        // One channel alone over the limit keeps its newest events within it.
        log.append((8...20).map { published($0, channel: "new") })
        #expect((log.summary(of: "new")?.held ?? 0) <= 5)
    }

    @Test func recentEventsStayBeyondReplaySoABurstDoesNotCutOffItsReaders() {
        let clock = NIOLockedValueBox<UInt64>(0)
        let log = channels(
            replay: 2, retention: .init(age: .seconds(5), bytes: 1 << 20), now: { clock.withLockedValue { $0 } })
        log.append((1...100).map { published($0, channel: "a") })
        #expect(log.summary(of: "a")?.held == 100)
        let cursor = log.open(channels: ["a"], lastEventID: "1000-50", fromOldest: false, loop: 0)
        #expect(cursor.resume.gap?.reason == .tooOld, "resume stays within replay")
        #expect(cursor.resume.start == 99)
        clock.withLockedValue { $0 = 6_000_000_000 }
        log.append([published(101, channel: "a")])
        #expect(log.summary(of: "a")?.held == 2)
    }

    @Test func aChannelWithNoEventsAndNoClientsIsForgotten() {
        let log = channels(replay: 0)
        let cursor = log.open(channels: ["waiting"], lastEventID: nil, fromOldest: false, loop: 0)
        #expect(log.count == 1, "a client's channel is known before its first event")
        log.close(cursor)
        #expect(log.count == 0)
        log.append([published(1, channel: "once")])
        #expect(log.count == 0, "replay 0 holds nothing once the event is old")
    }

    @Test func eachEventIsRoutedOnlyToTheLoopsWithReadersOfItsChannel() {
        let log = Channels(replay: 5, maxChannels: 100, replayBytes: nil, stamper: IDStamper(mode: .sequence, epoch: 1000), loops: 3)
        let onFirst = log.open(channels: ["a"], lastEventID: nil, fromOldest: false, loop: 0)
        _ = log.open(channels: ["a", "b"], lastEventID: nil, fromOldest: false, loop: 2)
        var routed: [[PublishedEvent]] = []
        log.append([published(1, channel: "a"), published(2, channel: "b"), published(3, channel: "nobody")], routingInto: &routed)
        #expect(routed.map { $0.map(\.sequence) } == [[1], [], [1, 2]])
        log.close(onFirst)
        routed = []
        log.append([published(4, channel: "a")], routingInto: &routed)
        #expect(routed.map { $0.map(\.sequence) } == [[], [], [4]], "the reader on loop 0 left")
    }

    @Test func theBusiestChannelsAreRankedByClientsAndByEvents() {
        let log = abc()
        _ = log.open(channels: ["b"], lastEventID: nil, fromOldest: false, loop: 0)
        _ = log.open(channels: ["b", "c"], lastEventID: nil, fromOldest: false, loop: 0)
        log.append([published(13, channel: "c")])
        let busiest = log.busiest(limit: 2)
        #expect(busiest.byClients.map(\.name) == ["b", "c"])
        #expect(busiest.byEvents.map(\.name) == ["c", "b"], "a and b have 4 events each; b has more clients")
    }
}
