import GatewayConfig
import NIOCore
import Testing

@testable import GatewayServer

func published(_ sequence: UInt64, id: String? = nil, type: String = "message") -> PublishedEvent {
    PublishedEvent(sequence: sequence, id: id ?? "E-\(sequence)", type: type, bytes: ByteBuffer(string: "data: \(sequence)\n\n"))
}

@Suite struct ReplayRingTests {
    @Test func keepsOnlyTheNewestEventsUpToItsCapacity() {
        var ring = ReplayRing(capacity: 3)
        for sequence in 1...5 { ring.append(published(UInt64(sequence))) }
        #expect(ring.held.map(\.sequence) == [3, 4, 5])
        #expect(ring.oldestSequence == 3)
    }

    @Test func aCapacityOfZeroHoldsNothing() {
        var ring = ReplayRing(capacity: 0)
        ring.append(published(1))
        #expect(ring.held.isEmpty)
        #expect(ring.events(after: 0).isEmpty)
    }

    @Test(arguments: [(0, [3, 4, 5]), (2, [3, 4, 5]), (3, [4, 5]), (4, [5]), (5, []), (9, [])])
    func returnsExactlyTheEventsAfterASequence(after: Int, expected: [Int]) {
        var ring = ReplayRing(capacity: 3)
        for sequence in 1...5 { ring.append(published(UInt64(sequence))) }
        #expect(ring.events(after: UInt64(after)).map(\.sequence) == expected.map(UInt64.init))
    }

    @Test func findsTheNewestEventWithAnID() {
        var ring = ReplayRing(capacity: 10)
        ring.append(published(1, id: "a"))
        ring.append(published(2, id: "b"))
        ring.append(published(3, id: "a"))
        #expect(ring.sequence(ofID: "a") == 3)
        #expect(ring.sequence(ofID: "b") == 2)
        #expect(ring.sequence(ofID: "zzz") == nil)
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

@Suite struct ResumePointTests {
    let stamper = IDStamper(mode: .sequence, epoch: 1000)

    /// A ring holding events 6…10 of run 1000.
    var ring: ReplayRing {
        var ring = ReplayRing(capacity: 5)
        for sequence in 1...10 { ring.append(published(UInt64(sequence), id: "1000-\(sequence)")) }
        return ring
    }

    func resolve(_ id: String?, mode: IDMode = .sequence) -> ResumePoint {
        ResumePoint.resolve(id, stamper: IDStamper(mode: mode, epoch: 1000), ring: ring, lastSequence: 10)
    }

    @Test func noLastEventIDMeansLiveOnly() {
        #expect(resolve(nil) == .live)
        #expect(resolve("") == .live)
    }

    @Test func anIDStillHeldResumesRightAfterIt() {
        #expect(resolve("1000-7") == .after(7))
        #expect(resolve("1000-10") == .after(10))
        // The event just before the oldest held is still placed exactly: nothing is missing.
        #expect(resolve("1000-5") == .after(5))
    }

    @Test func anIDOlderThanTheOldestHeldGetsEverythingHeld() {
        #expect(resolve("1000-2") == .allHeld)
    }

    @Test func anIDOfAnEarlierRunGetsEverythingHeld() {
        #expect(resolve("999-123456") == .allHeld)
    }

    @Test(arguments: ["1001-3", "1000-11", "garbage", "1000"])
    func anIDThatCannotBePlacedGetsNothing(_ id: String) {
        #expect(resolve(id) == .notHeld)
    }

    @Test func withSourceIDsAKnownIDResumesAndAnUnknownOneGetsNothing() {
        #expect(resolve("1000-8", mode: .source) == .after(8))
        #expect(resolve("elsewhere", mode: .source) == .notHeld)
    }

    @Test func theMetricResultNamesWhatHappened() {
        #expect(ResumePoint.live.metricResult == nil)
        #expect(ResumePoint.after(3).metricResult == "resumed")
        #expect(ResumePoint.allHeld.metricResult == "all_held")
        #expect(ResumePoint.notHeld.metricResult == "not_held")
    }
}
