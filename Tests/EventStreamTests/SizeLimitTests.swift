import EventStream
import Testing

/// `maxEventSize`: an event over it is skipped to its end, reported once, and parsing goes on; memory stays
/// bounded whatever the input.
@Suite("Size limit")
struct SizeLimitTests {
    @Test func noLimitMeansNoLimitWithoutOverflow() {
        // Found by fuzzing: `maxEventSize: .max` trapped on the first data line (limit + 1).
        #expect(outputs(of: "data: x\nevent: t\nid: 1\nretry: 5\n\n", maxEventSize: .max) == [.retry(milliseconds: 5), .event(Event(id: "1", event: "t", data: "x"))])
    }

    @Test func dispatchesAnEventWhoseDataIsExactlyTheLimit() {
        #expect(outputs(of: "data: 12345678\n\n", maxEventSize: 8) == [message("12345678")])
        #expect(outputs(of: "data: 123\ndata: 4567\n\n", maxEventSize: 8) == [message("123\n4567")])
    }

    @Test func skipsAnEventWhoseDataIsOneByteOverAndResumesWithTheNext() {
        #expect(outputs(of: "data: 123456789\n\ndata: ok\n\n", maxEventSize: 8) == [.eventTooLarge(bytes: 15), message("ok")])
    }

    @Test func countsTheLineFeedsJoiningDataLinesAgainstTheLimit() {
        #expect(outputs(of: "data: 1234\ndata: 5678\n\ndata: ok\n\n", maxEventSize: 8) == [.eventTooLarge(bytes: 20), message("ok")])
    }

    @Test(arguments: [1, 2, 7, Int.max])
    func countsAnEmptyDataLineAfterDataAtTheLimit(_ chunkSize: Int) {
        for line in ["data:", "data: ", "data"] {
            let stream = Array("data: 12345678\n\(line)\n\ndata: ok\n\n".utf8)
            #expect(outputs(of: stream, chunkSize: chunkSize, maxEventSize: 8) == [.eventTooLarge(bytes: 14 + line.utf8.count), message("ok")])
        }
    }

    @Test func skipsAnEventWithAnEventTypeIDOrRetryOverTheLimit() {
        #expect(outputs(of: "event: 123456789\ndata: x\n\ndata: ok\n\n", maxEventSize: 8) == [.eventTooLarge(bytes: 23), message("ok")])
        #expect(outputs(of: "retry: 000000001\ndata: x\n\ndata: ok\n\n", maxEventSize: 8) == [.eventTooLarge(bytes: 23), message("ok")])
        let (result, parser) = outputs(of: [Array("id: 1\n\nid: 123456789\ndata: x\n\ndata: ok\n\n".utf8)], maxEventSize: 8)
        #expect(result == [.eventTooLarge(bytes: 20), message("ok", id: "1")])
        #expect(parser.lastEventID == "1")
    }

    @Test func ignoresEveryLineOfASkippedEventAfterTheLimitIsCrossed() {
        let stream = "data: 123456789\nid: 9\nretry: 5\nevent: x\ndata: y\n\ndata: ok\n\n"
        #expect(outputs(of: stream, maxEventSize: 8) == [.eventTooLarge(bytes: 15 + 5 + 8 + 8 + 7), message("ok")])
    }

    @Test func keepsWhatTheSkippedEventSetBeforeCrossingTheLimit() {
        let stream = "id: 7\nretry: 5\ndata: 1234\ndata: 56789\n\ndata: ok\n\n"
        let (result, parser) = outputs(of: [Array(stream.utf8)], maxEventSize: 8)
        #expect(result == [.retry(milliseconds: 5), .eventTooLarge(bytes: 5 + 8 + 10 + 11), message("ok", id: "7")])
        #expect(parser.lastEventID == "7")
    }

    @Test func reportsASkippedEventOnceWhateverItsLength() {
        let stream = "data: 123456789\n" + String(repeating: "data: more and more\n", count: 100) + "\ndata: ok\n\n"
        let result = outputs(of: stream, maxEventSize: 8)
        #expect(result == [.eventTooLarge(bytes: 15 + 100 * 19), message("ok")])
    }

    @Test func neverCountsCommentsOrUnknownFieldsAgainstTheLimit() {
        let padding = String(repeating: "x", count: 4096)
        #expect(outputs(of: ": \(padding)\nfoo: \(padding)\n\(padding)\ndata: ok\n\n", maxEventSize: 8) == [message("ok")])
    }

    @Test(arguments: [1, 7, 4096, Int.max])
    func skipsAnOversizedEventTheSameWayInAnyChunking(_ chunkSize: Int) {
        let stream = Array("data: a\n\nevent: big\ndata: \(String(repeating: "y", count: 100))\r\n\r\ndata: b\n\n".utf8)
        #expect(outputs(of: stream, chunkSize: chunkSize, maxEventSize: 64) == [message("a"), .eventTooLarge(bytes: 116), message("b")])
    }

    @Test func dispatchesLargeEventsUnderADefaultLimit() {
        let data = String(repeating: "0123456789abcdef", count: 4096)  // 64 KiB
        #expect(outputs(of: Array("data: \(data)\n\n".utf8), chunkSize: 1000) == [message(data)])
    }

    @Test func doesNotReportAnOversizedEventThatResetCutShort() {
        var parser = SSEParser(maxEventSize: 8)
        var received: [SSEParserOutput] = []
        parser.parse(Array("data: 123456789\ndata".utf8)) { received.append($0) }
        parser.reset()
        parser.parse(Array("data: ok\n\n".utf8)) { received.append($0) }
        #expect(received == [message("ok")])
    }

    // MARK: Memory

    /// Feeds 8 MiB of one line that never ends, after `prefix`, and checks what the parser holds.
    private func feedEndlessLine(after prefix: String, maxEventSize: Int) -> (held: Int, afterEnd: [SSEParserOutput]) {
        var parser = SSEParser(maxEventSize: maxEventSize)
        var received: [SSEParserOutput] = []
        parser.parse(Array(prefix.utf8)) { received.append($0) }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        var held = 0
        for _ in 0..<2048 {
            parser.parse(chunk) { received.append($0) }
            held = max(held, parser.bufferedBytes)
        }
        parser.parse(Array("\n\ndata: ok\n\n".utf8)) { received.append($0) }
        return (held, received)
    }

    @Test(arguments: ["data: ", "data:", "event: ", "id: ", "retry: ", ": ", "x", "data"])
    func holdsNoMoreThanTheLimitForALineThatNeverEnds(_ prefix: String) {
        let limit = 1000
        let (held, received) = feedEndlessLine(after: prefix, maxEventSize: limit)
        // Each kind of value has its own buffer, and each stays within the limit (+ 1 for data's last LF,
        // and what the allocator rounds up).
        #expect(held <= limit + 1 + 64)
        #expect(received.last == message("ok"))
    }

    @Test func holdsNoMoreThanTheLimitForManyDataLines() {
        let limit = 1000
        var parser = SSEParser(maxEventSize: limit)
        var received: [SSEParserOutput] = []
        for _ in 0..<10_000 {
            parser.parse(Array("data: 0123456789\n".utf8)) { received.append($0) }
            #expect(parser.bufferedBytes <= limit + 1 + 64)
        }
        parser.parse(Array("\n".utf8)) { received.append($0) }
        #expect(received == [.eventTooLarge(bytes: 10_000 * 16)])
    }
}
