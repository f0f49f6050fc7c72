import GatewayConfig
import GatewayServer
import Testing

@testable import GatewayCLI

/// How `gateway test` words a failed case: event by event, then the summary.
@Suite struct EventDiffTests {
    typealias Expected = TestCase.ExpectedEvent

    @Test func whatWasExpectedIsNoDifference() {
        let diff = EventDiff(
            path: "/a", expected: [Expected(type: "tick", data: "x", id: "7")],
            got: [EmittedEvent(id: "7", type: "tick", data: "x", channel: nil)])
        #expect(diff.lines.isEmpty)
    }

    @Test func anUncheckedIdOrChannelMayBeAnything() {
        let diff = EventDiff(
            path: "/o/{c}", expected: [Expected(data: "x")], got: [EmittedEvent(id: "0-1", data: "x", channel: "alice")])
        #expect(diff.lines.isEmpty)
    }

    @Test func eachDifferenceIsALineWithTheEventsNumber() {
        let diff = EventDiff(
            path: "/alerts",
            expected: [Expected(type: "alert", data: #"{"a":1}"#), Expected(type: "alert", data: #"{"a":2}"#)],
            got: [
                EmittedEvent(id: "0-1", type: "alert", data: #"{"a":1}"#), EmittedEvent(id: "0-2", type: "quote", data: #"{"a":2}"#),
                EmittedEvent(id: "0-3", type: "alert", data: #"{"a":3}"#),
            ])
        #expect(
            diff.lines == [
                "  /alerts: expected 2 events, got 3",
                #"  /alerts event 2: expected event=alert data={"a":2}; got event=quote data={"a":2}"#,
                #"  /alerts event 3: unexpected event=alert data={"a":3}"#,
            ])
    }

    @Test func oneMissingEventIsReportedAsMissingNotAsAShiftOfEveryEventAfterIt() {
        let diff = EventDiff(
            path: "/alerts", expected: [Expected(type: "alert", data: "GLOBEX"), Expected(type: "alert", data: "INITECH")],
            got: [EmittedEvent(type: "alert", data: "INITECH")])
        #expect(diff.lines == ["  /alerts: expected 2 events, got 1", "  /alerts event 1: missing event=alert data=GLOBEX"])
    }

    @Test func theListsAlignOnWhatMatchesAndPairWhatIsBetween() {
        let diff = EventDiff(
            path: "/alerts",
            expected: [Expected(type: "alert", data: "108"), Expected(type: "alert", data: "110"), Expected(type: "alert", data: "111")],
            got: [
                EmittedEvent(type: "alert", data: "110"), EmittedEvent(type: "quote", data: "111"), EmittedEvent(type: "alert", data: "112"),
                EmittedEvent(type: "alert", data: "113"),
            ])
        #expect(
            diff.lines == [
                "  /alerts: expected 3 events, got 4",
                "  /alerts event 1: missing event=alert data=108",
                "  /alerts event 3: expected event=alert data=111; got event=quote data=111",
                "  /alerts event 3: unexpected event=alert data=112",
                "  /alerts event 4: unexpected event=alert data=113",
            ])
    }

    @Test func missingEventsAreListedAndIdsShownWhenTheEndpointsExpectationsCheckThem() {
        let diff = EventDiff(
            path: "/feed", expected: [Expected(type: "tick", data: "a", id: "7"), Expected(type: "tick", data: "b", id: "8")],
            got: [EmittedEvent(id: nil, type: "tick", data: "a")])
        #expect(
            diff.lines == [
                "  /feed: expected 2 events, got 1",
                "  /feed event 1: expected event=tick id=7 data=a; got event=tick id=(none) data=a",
                "  /feed event 2: missing event=tick id=8 data=b",
            ])
    }

    @Test func anEndpointThatMustPublishNothingListsWhatItPublished() {
        let diff = EventDiff(path: "/alerts", expected: [], got: [EmittedEvent(type: "alert", data: "x", channel: "acme")])
        #expect(diff.lines == ["  /alerts: expected 0 events, got 1", "  /alerts event 1: unexpected event=alert channel=acme data=x"])
    }

    @Test func valuesThatWouldReadAmbiguouslyAreQuoted() {
        #expect(EventDiff.value("plain words") == "plain words")
        #expect(EventDiff.value("") == #""""#)
        #expect(EventDiff.value("a\nb") == #""a\nb""#)
        #expect(EventDiff.value(" padded") == #"" padded""#)
        #expect(EventDiff.value(#""quoted""#) == #""\"quoted\"""#)
    }

    @Test func theReportCountsPassesAndFailures() {
        var report = TestReport()
        #expect(report.lines(for: CaseRunner.Result(name: "good", differences: [])) == ["PASS good"])
        #expect(report.lines(for: CaseRunner.Result(name: "bad", differences: ["  /a event 1: missing event=x data=y"])) == [
            "FAIL bad", "  /a event 1: missing event=x data=y",
        ])
        #expect(report.summary == "1 passed, 1 failed")
        #expect(!report.allPassed)
    }
}
