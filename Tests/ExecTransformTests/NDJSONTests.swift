import GatewayPlugin
import Testing

@testable import ExecTransform

@Suite struct NDJSONTests {
    func line(_ event: Event) -> String {
        var bytes: [UInt8] = []
        NDJSON.append(event, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func parse(_ text: String) -> Result<Event, NDJSON.Rejection> {
        var text = text
        return text.withUTF8 { NDJSON.event(fromLine: UnsafeRawBufferPointer($0)) }
    }

    @Test func anEventIsOneLineWithEventIdAndDataInThatOrder() {
        #expect(line(Event(id: "7", event: "quote", data: #"{"a":1}"#)) == #"{"event":"quote","id":"7","data":"{\"a\":1}"}"# + "\n")
        #expect(line(Event(data: "a\nb")) == #"{"event":null,"id":null,"data":"a\nb"}"# + "\n")
    }

    @Test func anOutputLineBecomesAnEvent() throws {
        #expect(try parse(#"{"event":"x","id":"1","data":"d"}"#).get() == Event(id: "1", event: "x", data: "d"))
        #expect(try parse(#"{"data":"d","extra":true}"#).get() == Event(data: "d"))
        #expect(try parse(#"{"event":null,"id":null,"data":"d"}"#).get() == Event(data: "d"))
        #expect(try parse(#"{"event":"","data":"d"}"#).get() == Event(data: "d"))
        #expect(try parse(#" {"data": {"n": [1, 2.50]}} "#).get() == Event(data: #"{"n":[1,2.50]}"#))
        #expect(try parse(#"{"data":null}"#).get() == Event(data: "null"))
    }

    @Test func otherLinesAreRejectedWithAReason() {
        #expect(throws: NDJSON.Rejection.notAnObject) { try parse("[1]").get() }
        #expect(throws: NDJSON.Rejection.missingData) { try parse(#"{"id":"1"}"#).get() }
        #expect(throws: NDJSON.Rejection.badField("id")) { try parse(#"{"id":1,"data":"x"}"#).get() }
        #expect(throws: NDJSON.Rejection.badField("event")) { try parse(#"{"event":["a"],"data":"x"}"#).get() }
        guard case .failure(.notJSON) = parse("hello") else {
            Issue.record("expected notJSON")
            return
        }
    }

    /// Splits `text` fed in chunks of `size` bytes; over-long lines show as `<too long>`.
    func split(_ text: String, chunk size: Int, maxLine: Int = 100) -> [String] {
        var splitter = LineSplitter(maxLine: maxLine)
        var lines: [String] = []
        let record: (LineSplitter.Piece) -> Void = { piece in
            switch piece {
            case .line(let bytes): lines.append(String(decoding: bytes, as: UTF8.self))
            case .tooLong: lines.append("<too long>")
            }
        }
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            bytes[start..<end].withUnsafeBytes { splitter.feed($0, record) }
            start = end
        }
        splitter.finish(record)
        return lines
    }

    @Test(arguments: [1, 2, 7, 1000])
    func linesSplitTheSameWhateverTheChunking(_ size: Int) {
        #expect(split("a\nbb\r\n\nccc\n", chunk: size) == ["a", "bb", "", "ccc"])
        #expect(split("one\ntail without newline", chunk: size) == ["one", "tail without newline"])
        let long = String(repeating: "x", count: 150)
        #expect(split("a\n\(long)\nb\n\(long)", chunk: size) == ["a", "<too long>", "b", "<too long>"])
        #expect(split(String(repeating: "y", count: 100) + "\n", chunk: size) == [String(repeating: "y", count: 100)])
    }
}
