import EventStream
import Testing

/// `SSEEncoder` writes the wire format byte for byte.
@Suite("Encoder")
struct EncoderTests {
    private func encoded(_ event: Event) -> String {
        String(decoding: SSEEncoder.encode(event), as: UTF8.self)
    }

    @Test func writesDataThenAnEmptyLine() {
        #expect(encoded(Event(data: "hello")) == "data: hello\n\n")
    }

    @Test func writesIDAndTypeBeforeData() {
        #expect(encoded(Event(id: "7", event: "quote", data: "x")) == "id: 7\nevent: quote\ndata: x\n\n")
    }

    @Test func writesRetryFirst() {
        #expect(encoded(Event(id: "7", data: "x", retry: 1500)) == "retry: 1500\nid: 7\ndata: x\n\n")
    }

    @Test func leavesOutTheTypeWhenItIsMessageOrEmpty() {
        #expect(encoded(Event(event: "message", data: "x")) == "data: x\n\n")
        #expect(encoded(Event(event: "", data: "x")) == "data: x\n\n")
    }

    @Test func writesOneDataLinePerLineWhateverTheLineEnd() {
        #expect(encoded(Event(data: "a\nb\r\nc\rd")) == "data: a\ndata: b\ndata: c\ndata: d\n\n")
        #expect(encoded(Event(data: "a\r\r\nb\n\rc")) == "data: a\ndata:\ndata: b\ndata:\ndata: c\n\n")
    }

    @Test func writesAnEmptyDataLineForEachEmptyLine() {
        #expect(encoded(Event(data: "")) == "data:\n\n")
        #expect(encoded(Event(data: "\n")) == "data:\ndata:\n\n")
        #expect(encoded(Event(data: "a\n")) == "data: a\ndata:\n\n")
        #expect(encoded(Event(data: "\na")) == "data:\ndata: a\n\n")
    }

    @Test func keepsLeadingSpacesInData() {
        #expect(encoded(Event(data: " a\n  b")) == "data:  a\ndata:   b\n\n")
    }

    @Test func removesLineEndsAndNULFromAnID() {
        #expect(encoded(Event(id: "a\r\nb\rc\nd\0e", data: "x")) == "id: abcde\ndata: x\n\n")
    }

    @Test func writesAnEmptyIDToClearTheClientsLastEventID() {
        #expect(encoded(Event(id: "", data: "x")) == "id:\ndata: x\n\n")
    }

    @Test func removesLineEndsButNotNULFromAType() {
        #expect(encoded(Event(event: "a\r\nb\0", data: "x")) == "event: ab\0\ndata: x\n\n")
    }

    @Test func leavesOutANegativeRetry() {
        #expect(encoded(Event(data: "x", retry: -1)) == "data: x\n\n")
        var buffer: [UInt8] = []
        SSEEncoder.retry(milliseconds: -5, into: &buffer)
        #expect(buffer.isEmpty)
    }

    @Test func writesRetryInDecimal() {
        for milliseconds in [0, 7, 10, 2000, 1_234_567, Int.max] {
            var buffer: [UInt8] = []
            SSEEncoder.retry(milliseconds: milliseconds, into: &buffer)
            #expect(String(decoding: buffer, as: UTF8.self) == "retry: \(milliseconds)\n")
        }
    }

    @Test func writesACommentLinePerLineAndAColonAloneForEmptyText() {
        var buffer: [UInt8] = []
        SSEEncoder.comment("ok", into: &buffer)
        SSEEncoder.comment("", into: &buffer)
        SSEEncoder.comment("a\nb\r\nc\r", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == ": ok\n:\n: a\n: b\n: c\n:\n")
    }

    @Test func appendsToWhatTheBufferHolds() {
        var buffer = Array("retry: 1\n".utf8)
        SSEEncoder.encode(Event(data: "a"), into: &buffer)
        SSEEncoder.encode(Event(data: "b"), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "retry: 1\ndata: a\n\ndata: b\n\n")
    }

    @Test func writesNonASCIIAsUTF8() {
        #expect(SSEEncoder.encode(Event(id: "é", event: "ñ", data: "😀")) == Array("id: é\nevent: ñ\ndata: 😀\n\n".utf8))
    }

    @Test func encodesBridgedAndSubstringBackedStrings() {
        let data = String("xx a\nb".dropFirst(2))
        #expect(encoded(Event(data: data)) == "data:  a\ndata: b\n\n")
    }
}
