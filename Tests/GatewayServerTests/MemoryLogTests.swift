import GatewayPlugin
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import GatewayServer

func published(_ sequence: UInt64, id: String? = nil, type: String = "message") -> PublishedEvent {
    let (chunk, offset) = ChunkFraming.encode(Event(data: "\(sequence)"), allocator: ByteBufferAllocator())
    return PublishedEvent(sequence: sequence, id: id ?? "1000-\(sequence)", type: type, chunk: chunk, payloadOffset: offset)
}

/// A log of run 1000 holding events 1…`count` as `ids` names them.
func memoryLog(replay: Int, count: UInt64, mode: EndpointSettings.IDs = .sequence) -> MemoryLog {
    let log = MemoryLog(replay: replay, stamper: IDStamper(mode: mode, epoch: 1000), retention: .countOnly)
    log.append((1...count).map { published($0) })
    return log
}

extension MemoryLog {
    func sequences(from next: UInt64, maxBytes: Int = .max) -> [UInt64]? {
        var events: [PublishedEvent] = []
        return read(from: next, maxBytes: maxBytes, into: &events) == .served ? events.map(\.sequence) : nil
    }
}

@Suite struct MemoryLogTests {
    @Test func keepsTheReplayWindowButNeverFewerThanWhatClientsInFlightNeed() {
        let log = memoryLog(replay: 300, count: 1000)
        #expect(log.capacity == 300)
        #expect(log.sequences(from: 701)?.first == 701)
        #expect(log.sequences(from: 700) == nil, "700 has left the log")
        let small = memoryLog(replay: 0, count: 1000)
        #expect(small.capacity == MemoryLog.deliveryMinimum)
        #expect(small.sequences(from: UInt64(1001 - MemoryLog.deliveryMinimum))?.count == MemoryLog.deliveryMinimum)
    }

    @Test func recentEventsStayBeyondTheCountUntilTheyAgeOrTheLogIsFull() {
        let clock = NIOLockedValueBox<UInt64>(0)
        let size = published(1).chunk.readableBytes + 128
        let log = MemoryLog(
            replay: 0, stamper: IDStamper(mode: .sequence, epoch: 1000), retention: .init(age: .seconds(5), bytes: 2000 * size),
            now: { clock.withLockedValue { $0 } })
        // A burst of 1,000: all recent, all kept, although the count is 256.
        log.append((1...1000).map { published($0) })
        #expect(log.heldCount == 1000)
        #expect(log.sequences(from: 1)?.count == 1000)
        // Four seconds later another 1,500 arrive: the log is full, so the oldest go first.
        clock.withLockedValue { $0 = 4_000_000_000 }
        log.append((1001...2500).map { published($0) })
        #expect(log.heldCount <= 2000 && log.heldCount >= 1900)
        #expect(log.sequences(from: 2500 - UInt64(log.heldCount) + 1)?.last == 2500)
        // Six seconds after that, one more: everything older than five seconds goes, down to the count.
        clock.withLockedValue { $0 = 10_000_000_000 }
        log.append([published(2501)])
        #expect(log.heldCount == MemoryLog.deliveryMinimum)
        #expect(log.sequences(from: 2501 - UInt64(MemoryLog.deliveryMinimum) + 1)?.first == 2501 - UInt64(MemoryLog.deliveryMinimum) + 1)
        // Resuming stays within `replay` (none here) however much is held.
        #expect(log.oldestResumableSequence == 2502)
    }

    @Test(arguments: [(995, [995, 996, 997, 998, 999, 1000]), (1000, [1000]), (1001, []), (5000, [])])
    func readsEverythingFromASequence(next: Int, expected: [Int]) {
        #expect(memoryLog(replay: 10, count: 1000).sequences(from: UInt64(next)) == expected.map(UInt64.init))
    }

    @Test func aReadStopsAtItsByteBudgetButAlwaysReturnsOneEvent() {
        let log = memoryLog(replay: 100, count: 100)
        let size = published(10).chunk.readableBytes
        #expect(log.sequences(from: 10, maxBytes: 3 * size + 1) == [10, 11, 12])
        #expect(log.sequences(from: 10, maxBytes: 1) == [10])
    }

    @Test func chunkPayloadIsTheEventWithoutItsFraming() {
        let event = published(12)
        #expect(String(buffer: event.chunk) == "a\r\ndata: 12\n\n\r\n")
        #expect(String(buffer: event.payload) == "data: 12\n\n")
    }
}

@Suite struct IDStamperTests {
    @Test func sequenceIDsNameTheRunAndTheNumber() {
        let stamper = IDStamper(mode: .sequence, epoch: 1700)
        #expect(stamper.id(for: .init(id: "upstream", data: "x"), sequence: 42) == "1700-42")
        #expect(IDStamper.parseSequenceID("1700-42")! == (1700, 42))
    }

    @Test func sourceIDsAreKeptAsTheSourceGaveThem() {
        let stamper = IDStamper(mode: .source, epoch: 1700)
        #expect(stamper.id(for: .init(id: "upstream-7", data: "x"), sequence: 42) == "upstream-7")
        #expect(stamper.id(for: .init(data: "x"), sequence: 43) == nil)
    }

    @Test(arguments: ["", "abc", "12", "12-", "-3", "a-3", "12-b", "1-2-3"])
    func malformedSequenceIDsDoNotParse(_ text: String) {
        #expect(IDStamper.parseSequenceID(text) == nil)
    }
}

@Suite struct ResumeTests {
    /// Events 1…10 of run 1000, the last 5 resumable.
    func resume(_ id: String?, mode: EndpointSettings.IDs = .sequence) -> Resume {
        memoryLog(replay: 5, count: 10, mode: mode).resume(from: id)
    }

    func gap(_ reason: Gap.Reason, _ id: String, start: UInt64) -> Resume {
        Resume(start: start, askedToResume: true, gap: Gap(reason: reason, lastEventID: id, oldestID: "1000-6"))
    }

    @Test func noLastEventIDMeansLiveOnly() {
        #expect(resume(nil) == .from(11, askedToResume: false))
        #expect(resume("") == .from(11, askedToResume: false))
    }

    @Test func anIDStillHeldResumesRightAfterIt() {
        #expect(resume("1000-7") == .from(8, askedToResume: true))
        #expect(resume("1000-10") == .from(11, askedToResume: true))
        // The event just before the oldest held is still placed exactly: nothing is missing.
        #expect(resume("1000-5") == .from(6, askedToResume: true))
    }

    @Test func anIDOlderThanTheReplayWindowIsTooOldAndGetsEverythingHeld() {
        #expect(resume("1000-2") == gap(.tooOld, "1000-2", start: 6))
    }

    @Test func anIDOfAnEarlierRunGetsEverythingHeld() {
        #expect(resume("999-123456") == gap(.earlierRun, "999-123456", start: 6))
    }

    @Test(arguments: ["1001-3", "1000-11", "garbage", "1000"])
    func anIDThatCannotBePlacedIsUnknownAndGetsOnlyLiveEvents(_ id: String) {
        #expect(resume(id) == gap(.unknownID, id, start: 11))
    }

    @Test func withSourceIDsAKnownIDResumesAndAnUnknownOneGetsOnlyLiveEvents() {
        #expect(resume("1000-8", mode: .source) == .from(9, askedToResume: true))
        #expect(resume("elsewhere", mode: .source) == gap(.unknownID, "elsewhere", start: 11))
        #expect(resume("1000-3", mode: .source) == gap(.unknownID, "1000-3", start: 11), "outside the replay window")
    }

    @Test func aClientThatHadTheNewestEventResumesExactlyEvenWithNoReplay() {
        let log = memoryLog(replay: 0, count: 10)
        #expect(log.resume(from: "1000-10") == .from(11, askedToResume: true))
        #expect(log.resume(from: "1000-9") == Resume(start: 11, askedToResume: true, gap: Gap(reason: .tooOld, lastEventID: "1000-9", oldestID: nil)))
    }

    @Test func theMetricResultNamesWhatHappened() {
        #expect(resume(nil).metricResult == nil)
        #expect(resume("1000-8").metricResult == "resumed")
        #expect(resume("1000-1").metricResult == "too_old")
        #expect(resume("9-1").metricResult == "earlier_run")
        #expect(resume("x").metricResult == "unknown_id")
    }
}
