import EventStream
import Testing

/// What `SSEEncoder` writes, `SSEParser` reads back as the same events.
@Suite("Encode, then parse")
struct RoundTripTests {
    /// What a parser reads back: line ends become LF (the format cannot carry CR).
    private static func normalized(_ data: String) -> String {
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in data.unicodeScalars {
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            result.append(previousWasCR ? "\n" : scalar)
        }
        return String(result)
    }

    /// Encodes `events` into one stream and returns what a parser must read from it.
    private static func expectedOutputs(of events: [Event]) -> [SSEParserOutput] {
        var lastEventID: String?
        var expected: [SSEParserOutput] = []
        for event in events {
            if let retry = event.retry, retry >= 0 {
                expected.append(.retry(milliseconds: retry))
            }
            if let id = event.id {
                let kept = String(String.UnicodeScalarView(id.unicodeScalars.filter { !["\r", "\n", "\0"].contains($0) }))
                lastEventID = kept.isEmpty ? nil : kept
            }
            var type: String?
            if let event = event.event, !event.isEmpty, event != "message" {
                let kept = String(String.UnicodeScalarView(event.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
                type = kept.isEmpty ? nil : kept
            }
            expected.append(.event(Event(id: lastEventID, event: type, data: normalized(event.data))))
        }
        return expected
    }

    static let trickyData = [
        "", " ", "  two leading spaces", "a\nb", "a\r\nb", "a\rb", "\n", "\r\n", "\r", "\n\n", "a\n", "\na", "a\r\n\r\nb",
        "data: not a field", ":not a comment", "id: 1", "\u{FEFF}bom", "é😀日本語", "nul\0inside", "tab\tend\t", "\r\r\n\n",
    ]

    @Test(arguments: trickyData)
    func readsBackTrickyData(_ data: String) {
        let events = [Event(id: " id", event: " type", data: data)]
        for chunkSize in [1, 2, 7, Int.max] {
            #expect(outputs(of: SSEEncoder.encode(events[0]), chunkSize: chunkSize) == Self.expectedOutputs(of: events))
        }
    }

    @Test func readsBackTheTypesTheEncoderLeavesOut() {
        let events = [Event(event: "message", data: "a"), Event(event: "", data: "b"), Event(event: "\r\n", data: "c")]
        var stream: [UInt8] = []
        events.forEach { SSEEncoder.encode($0, into: &stream) }
        #expect(outputs(of: stream) == [message("a"), message("b"), message("c")])
    }

    @Test(arguments: 0..<50)
    func readsBackRandomEventsInRandomChunkings(_ seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed) &* 7919)
        let pieces = ["a", "Z", "0", " ", ":", "\r", "\n", "\r\n", "\0", "é", "😀", "日", "\u{FEFF}", "data:", "id: ", "\t", "message"]
        func randomText(maxPieces: Int) -> String {
            (0..<Int.random(in: 0...maxPieces, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        var events: [Event] = []
        var stream: [UInt8] = []
        for _ in 0..<Int.random(in: 1...20, using: &generator) {
            let event = Event(
                id: Bool.random(using: &generator) ? randomText(maxPieces: 4) : nil,
                event: Bool.random(using: &generator) ? randomText(maxPieces: 3) : nil,
                data: randomText(maxPieces: 30),
                retry: Int.random(in: 0..<8, using: &generator) == 0 ? Int.random(in: -10...100_000, using: &generator) : nil
            )
            events.append(event)
            if Bool.random(using: &generator) {
                SSEEncoder.comment(randomText(maxPieces: 5), into: &stream)
            }
            SSEEncoder.encode(event, into: &stream)
        }
        let expected = Self.expectedOutputs(of: events)
        #expect(outputs(of: [stream]).outputs == expected)
        for round in 0..<10 {
            #expect(outputs(of: randomChunks(of: stream, maxChunk: 1 + round * 5, using: &generator)).outputs == expected)
        }
    }
}
