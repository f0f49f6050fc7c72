import EventStream
import Testing

/// The parser gives the same outputs however a stream is cut into chunks.
@Suite("Chunking")
struct ChunkingTests {
    @Test(arguments: StreamCase.all, [1, 2, 7, Int.max])
    func yieldsTheSameOutputsInChunksOfAnySize(_ streamCase: StreamCase, chunkSize: Int) {
        let result = outputs(of: chunks(of: streamCase.bytes, size: chunkSize))
        #expect(result.outputs == streamCase.expected)
        if let lastEventID = streamCase.lastEventID {
            #expect(result.parser.lastEventID == lastEventID)
        }
    }

    @Test(arguments: StreamCase.all)
    func yieldsTheSameOutputsWhenCutAtAnyByte(_ streamCase: StreamCase) {
        for cut in 0...streamCase.bytes.count {
            let result = outputs(of: chunks(of: streamCase.bytes, cutAt: [cut]))
            #expect(result.outputs == streamCase.expected, "cut at \(cut)")
        }
    }

    @Test(arguments: StreamCase.all)
    func yieldsTheSameOutputsInRandomChunkings(_ streamCase: StreamCase) {
        var generator = SplitMix64(seed: 0x5EED)
        for round in 0..<50 {
            let pieces = randomChunks(of: streamCase.bytes, maxChunk: 1 + round % 13, using: &generator)
            #expect(outputs(of: pieces).outputs == streamCase.expected, "chunks \(pieces.map(\.count))")
        }
    }

    /// Streams made of the format's own tokens, in random order, so that odd neighbours meet at chunk
    /// boundaries: CR before LF, a colon before a space, half a character, a BOM, an over-long line.
    @Test(arguments: 0..<100)
    func yieldsTheSameOutputsForRandomStreamsInRandomChunkings(_ seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed))
        let tokens: [[UInt8]] = [
            "data", "data:", "data: ", "event:", "event: t", "id:", "id: 1", "id: \0", "retry: ", "7", "x", ":", " ", "\r", "\n",
            "\r\n", "\n\n", "é", "😀", "xxxxxxxx", "datum:",
        ].map { Array($0.utf8) } + [[0xFF], [0xEF, 0xBB, 0xBF], [0xF0, 0x9F], [0xEF]]
        var stream: [UInt8] = []
        for _ in 0..<Int.random(in: 1...200, using: &generator) {
            stream += tokens.randomElement(using: &generator)!
        }
        // A small limit, so that skipping events is exercised too.
        let maxEventSize = Int.random(in: 1...24, using: &generator)
        let whole = outputs(of: [stream], maxEventSize: maxEventSize)
        let reference = ReferenceParser.outputs(of: stream, maxEventSize: maxEventSize)
        #expect(whole.outputs == reference.outputs, "stream \(stream)")
        #expect(whole.parser.lastEventID == reference.lastEventID)
        for round in 0..<20 {
            let pieces = randomChunks(of: stream, maxChunk: 1 + round % 9, using: &generator)
            let chunked = outputs(of: pieces, maxEventSize: maxEventSize)
            #expect(chunked.outputs == whole.outputs, "stream \(stream), chunks \(pieces.map(\.count))")
            #expect(chunked.parser.lastEventID == whole.parser.lastEventID)
        }
        for cut in 0...stream.count {
            #expect(outputs(of: chunks(of: stream, cutAt: [cut]), maxEventSize: maxEventSize).outputs == whole.outputs)
        }
    }

    /// Streams of short lines — mostly `data`, some `id`, `event`, `retry`, comments and empty lines — with
    /// tiny limits, so that data lands exactly at the limit, every field goes over it, and values and line ends
    /// meet chunk boundaries: the parser must agree with `ReferenceParser` in every chunking.
    @Test(arguments: 0..<500)
    func agreesWithTheReferenceParserNearTheLimit(_ seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed) &+ 1_000_000)
        let names = ["data", "data", "data", "data", "data", "id", "event", "retry", "", "datum"]
        let valueTokens = ["x", "1", "1", " ", ":", "\0", "é"]
        var text = ""
        for _ in 0..<Int.random(in: 1...40, using: &generator) {
            if Int.random(in: 0..<4, using: &generator) > 0 {
                text += names.randomElement(using: &generator)!
                text += Int.random(in: 0..<8, using: &generator) > 0 ? ":" : ""
                text += Bool.random(using: &generator) ? " " : ""
                for _ in 0..<Int.random(in: 0...3, using: &generator) {
                    text += valueTokens.randomElement(using: &generator)!
                }
            }
            text += ["\n", "\n", "\r", "\r\n"].randomElement(using: &generator)!
        }
        let stream = Array(text.utf8)
        let maxEventSize = Int.random(in: 1...6, using: &generator)
        let reference = ReferenceParser.outputs(of: stream, maxEventSize: maxEventSize)
        // Small chunks cut most lines; larger ones leave some whole, so both ways of reading a line meet.
        for maxChunk in [0, 1, 2, 3, 5, 8, 13, 21, 40] {
            let pieces = maxChunk == 0 ? [stream] : randomChunks(of: stream, maxChunk: maxChunk, using: &generator)
            let result = outputs(of: pieces, maxEventSize: maxEventSize)
            #expect(result.outputs == reference.outputs, "stream \(text.debugDescription), chunks \(pieces.map(\.count))")
            #expect(result.parser.lastEventID == reference.lastEventID)
        }
    }
}
