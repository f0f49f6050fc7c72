import EventStream
import Testing

/// The HTML standard's "event stream interpretation", one rule per test.
@Suite("Event stream interpretation")
struct InterpretationTests {
    // MARK: Decoding

    @Test func skipsAByteOrderMarkOpeningTheStream() { expectStream(.byteOrderMarkAtStart) }
    @Test func skipsOnlyOneByteOrderMark() { expectStream(.secondByteOrderMark) }
    @Test func treatsAByteOrderMarkAfterTheStartAsContent() { expectStream(.byteOrderMarkLater) }
    @Test func keepsTheBytesOfAnIncompleteByteOrderMark() {
        expectStream(.byteOrderMarkPrefix)
        expectStream(.byteOrderMarkFirstByte)
    }
    @Test func replacesInvalidUTF8WithReplacementCharacters() {
        expectStream(.invalidUTF8)
        expectStream(.invalidUTF8InTypeAndID)
    }
    @Test func decodesMultiByteCharacters() { expectStream(.multiByteCharacters) }

    @Test func skipsAByteOrderMarkSplitAcrossChunks() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let stream = bom + Array("data: a\n\n".utf8)
        for cut in 1..<bom.count {
            #expect(outputs(of: chunks(of: stream, cutAt: [cut])).outputs == [message("a")])
        }
        #expect(outputs(of: [[0xEF], [], [0xBB], [0xBF], Array("data: a\n\n".utf8)]).outputs == [message("a")])
    }

    // MARK: Lines

    @Test func endsLinesAtCarriageReturnLineFeedOrBoth() { expectStream(.lineEnds) }
    @Test func readsLineFeedAfterCarriageReturnAndLineFeedAsAnEmptyLine() { expectStream(.lineFeedAfterCarriageReturnAndLineFeed) }
    @Test func readsCarriageReturnAfterLineFeedAsAnEmptyLine() { expectStream(.carriageReturnAfterLineFeed) }

    @Test func readsCarriageReturnEndingAChunkAndLineFeedOpeningTheNextAsOneLineEnd() {
        let result = outputs(of: [Array("data: a\r".utf8), Array("\ndata: b\r".utf8), Array("\n\r".utf8), Array("\n".utf8)])
        #expect(result.outputs == [message("a\nb")])
    }

    @Test func dispatchesAtACarriageReturnWithoutWaitingForTheNextChunk() {
        var parser = SSEParser()
        var received: [SSEParserOutput] = []
        parser.parse(Array("data: a\r\r".utf8)) { received.append($0) }
        #expect(received == [message("a")])
        parser.parse(Array("\ndata: b\n\n".utf8)) { received.append($0) }
        #expect(received == [message("a"), message("b")])
    }

    // MARK: Fields

    @Test func ignoresComments() { expectStream(.comments) }
    @Test func readsALineWithoutColonAsAFieldWithAnEmptyValue() { expectStream(.fieldWithoutColon) }
    @Test func removesOnlyOneSpaceAfterTheColon() { expectStream(.oneLeadingSpace) }
    @Test func endsTheFieldNameAtTheFirstColon() { expectStream(.colonsInValues) }
    @Test func joinsDataLinesWithLineFeedsAndDropsTheLastOne() { expectStream(.dataJoinedWithLineFeeds) }
    @Test func resetsTheEventTypeAfterDispatch() { expectStream(.eventTypeResetAfterDispatch) }
    @Test func takesTheLastEventTypeOfAnEvent() { expectStream(.lastEventTypeWins) }
    @Test func givesTheTypeMessageForAnEmptyEventType() { expectStream(.emptyEventType) }
    @Test func dispatchesNothingWithoutDataButStillResetsTheType() { expectStream(.noDispatchWithoutData) }
    @Test func keepsTheLastEventIDUntilAnIDFieldChangesIt() { expectStream(.lastEventIDPersists) }
    @Test func appliesAnIDFieldThatFollowsTheData() { expectStream(.idAfterData) }
    @Test func ignoresAnIDContainingNUL() { expectStream(.idWithNUL) }
    @Test func keepsSpacesInAnIDButTheFirst() { expectStream(.idKeepsSpaces) }
    @Test func takesRetryOnlyWhenItIsASCIIDigits() { expectStream(.retryDigitsOnly) }
    @Test func clampsARetryTooLargeForInt() { expectStream(.retryClamped) }
    @Test func reportsRetryWhenItsLineIsRead() { expectStream(.retryReportedAtItsLine) }
    @Test func ignoresUnknownFields() { expectStream(.unknownFields) }
    @Test func treatsNULInDataAsContent() { expectStream(.nulInData) }

    @Test func takesTheLastEventIDAtAnEmptyLineEvenWithoutDispatch() {
        var parser = SSEParser()
        parser.parse(Array("id: 1\n".utf8)) { _ in Issue.record("nothing to report yet") }
        #expect(parser.lastEventID == "")
        parser.parse(Array("\n".utf8)) { _ in Issue.record("an event without data is not dispatched") }
        #expect(parser.lastEventID == "1")
    }

    // MARK: End of stream and new connections

    @Test func discardsAnEventTheStreamDoesNotEnd() {
        expectStream(.unterminatedEvent)
        expectStream(.unterminatedLine)
    }

    @Test func resetDiscardsTheUnfinishedEventAndKeepsTheLastEventID() {
        var parser = SSEParser()
        var received: [SSEParserOutput] = []
        parser.parse(Array("id: 1\ndata: a\n\nid: 2\nevent: x\ndata: b\ndat".utf8)) { received.append($0) }
        parser.reset()
        #expect(parser.lastEventID == "1")
        parser.parse(Array("a: c\n\n".utf8)) { received.append($0) }
        parser.parse(Array("data: d\n\n".utf8)) { received.append($0) }
        #expect(received == [message("a", id: "1"), message("d", id: "1")])
    }

    @Test func resetAcceptsAByteOrderMarkAgain() {
        var parser = SSEParser()
        var received: [SSEParserOutput] = []
        parser.parse(Array("\u{FEFF}data: a\n\n".utf8)) { received.append($0) }
        parser.reset()
        parser.parse(Array("\u{FEFF}data: b\n\n".utf8)) { received.append($0) }
        #expect(received == [message("a"), message("b")])
    }

    @Test func setLastEventIDGivesTheIDOfLaterEvents() {
        var parser = SSEParser()
        parser.setLastEventID("41")
        var received: [SSEParserOutput] = []
        parser.parse(Array("data: a\n\nid: 42\ndata: b\n\n".utf8)) { received.append($0) }
        #expect(received == [message("a", id: "41"), message("b", id: "42")])
        #expect(parser.lastEventID == "42")
    }

    @Test func setLastEventIDReplacesAnIDReadInTheUnfinishedEvent() {
        var parser = SSEParser()
        var received: [SSEParserOutput] = []
        parser.parse(Array("id: 1\n".utf8)) { received.append($0) }
        parser.setLastEventID("9")
        parser.parse(Array("data: a\n\n".utf8)) { received.append($0) }
        #expect(received == [message("a", id: "9")])
    }

    // MARK: Inputs

    @Test func readsArraysStringsRawBuffersAndOtherSequencesAlike() {
        let text = "event: t\ndata: a\n\n"
        let expected = [message("a", type: "t")]
        var fromString: [SSEParserOutput] = []
        var parser = SSEParser()
        parser.parse(text.utf8) { fromString.append($0) }
        var fromRaw: [SSEParserOutput] = []
        parser = SSEParser()
        Array(text.utf8).withUnsafeBytes { bytes in parser.parse(bytes) { fromRaw.append($0) } }
        var fromLazy: [SSEParserOutput] = []
        parser = SSEParser()
        parser.parse(text.utf8.lazy.map { $0 }) { fromLazy.append($0) }
        var fromSlice: [SSEParserOutput] = []
        parser = SSEParser()
        parser.parse(Array(("xx" + text).utf8).dropFirst(2)) { fromSlice.append($0) }
        #expect(fromString == expected)
        #expect(fromRaw == expected)
        #expect(fromLazy == expected)
        #expect(fromSlice == expected)
    }

    @Test func ignoresEmptyChunks() {
        #expect(outputs(of: [[], Array("data: a\r".utf8), [], Array("\n\n".utf8), []]).outputs == [message("a")])
    }

    @Test func reusesTheTypeStringForEventsOfOneType() {
        let stream = String(repeating: "event: tick\ndata: x\n\n", count: 3) + "event: tock\ndata: y\n\n"
        #expect(outputs(of: stream) == [
            message("x", type: "tick"), message("x", type: "tick"), message("x", type: "tick"), message("y", type: "tock"),
        ])
    }
}
