import EventStream
import Testing

/// A named stream and what the parser must report for it, whatever the chunking.
struct StreamCase: Sendable, CustomStringConvertible {
    let description: String
    let bytes: [UInt8]
    let expected: [SSEParserOutput]
    /// What `lastEventID` must be after the whole stream, when the case says.
    let lastEventID: String?

    init(_ description: String, _ text: String, _ expected: [SSEParserOutput], lastEventID: String? = nil) {
        self.init(description, bytes: Array(text.utf8), expected, lastEventID: lastEventID)
    }

    init(_ description: String, bytes: [UInt8], _ expected: [SSEParserOutput], lastEventID: String? = nil) {
        self.description = description
        self.bytes = bytes
        self.expected = expected
        self.lastEventID = lastEventID
    }
}

/// A dispatched event, as the parser reports it.
func message(_ data: String, id: String? = nil, type: String? = nil) -> SSEParserOutput {
    .event(Event(id: id, event: type, data: data))
}

/// Feeds `chunks` to a fresh parser and returns everything it reported.
func outputs(of chunks: [[UInt8]], maxEventSize: Int = 1 << 20) -> (outputs: [SSEParserOutput], parser: SSEParser) {
    var parser = SSEParser(maxEventSize: maxEventSize)
    var outputs: [SSEParserOutput] = []
    for chunk in chunks {
        parser.parse(chunk) { outputs.append($0) }
    }
    return (outputs, parser)
}

/// Feeds `bytes` to a fresh parser in chunks of `chunkSize` bytes (the last one may be shorter).
func outputs(of bytes: [UInt8], chunkSize: Int = .max, maxEventSize: Int = 1 << 20) -> [SSEParserOutput] {
    outputs(of: chunks(of: bytes, size: chunkSize), maxEventSize: maxEventSize).outputs
}

/// Feeds `text` to a fresh parser in one chunk.
func outputs(of text: String, maxEventSize: Int = 1 << 20) -> [SSEParserOutput] {
    outputs(of: Array(text.utf8), maxEventSize: maxEventSize)
}

/// `bytes` cut into chunks of `size` bytes; the last one may be shorter.
func chunks(of bytes: [UInt8], size: Int) -> [[UInt8]] {
    let size = min(size, max(bytes.count, 1))
    return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}

/// `bytes` cut at the given offsets (sorted, within `0...bytes.count`; empty chunks allowed).
func chunks(of bytes: [UInt8], cutAt offsets: [Int]) -> [[UInt8]] {
    var result: [[UInt8]] = []
    var start = 0
    for offset in offsets + [bytes.count] {
        result.append(Array(bytes[start..<offset]))
        start = offset
    }
    return result
}

/// `bytes` cut at random places into chunks of 0 to `maxChunk` bytes.
func randomChunks(of bytes: [UInt8], maxChunk: Int, using generator: inout SplitMix64) -> [[UInt8]] {
    var result: [[UInt8]] = []
    var start = 0
    while start < bytes.count {
        let end = min(start + Int.random(in: 0...maxChunk, using: &generator), bytes.count)
        result.append(Array(bytes[start..<end]))
        start = end
    }
    return result
}

/// A small seeded generator, so that every random test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}


/// Parses the case's stream in one chunk and checks what it yields, and the last event ID when given.
func expectStream(_ streamCase: StreamCase, sourceLocation: SourceLocation = #_sourceLocation) {
    let (outputs, parser) = outputs(of: [streamCase.bytes])
    #expect(outputs == streamCase.expected, "\(streamCase)", sourceLocation: sourceLocation)
    if let lastEventID = streamCase.lastEventID {
        #expect(parser.lastEventID == lastEventID, "\(streamCase)", sourceLocation: sourceLocation)
    }
}
