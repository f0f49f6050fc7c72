import GatewayPlugin
import NIOCore
import Testing
import TestSupport

@testable import GatewayServer

@Suite struct ChunkFramingTests {
    /// Sizes whose chunk headers take one to five hex digits.
    @Test(arguments: [0, 5, 200, 5000, 70_000])
    func anEventIsOneChunkHoldingExactlyItsSSEBytes(dataSize: Int) throws {
        let event = Event(id: "1-7", event: "quote", data: String(repeating: "x", count: dataSize) + "\nend")
        let (chunk, offset) = ChunkFraming.encode(event, allocator: ByteBufferAllocator())
        let bytes = Array(chunk.readableBytesView)
        let expected = SSEEncoder.encode(event)
        let body = ChunkedBody(bytes)
        #expect(!body.isMalformed)
        #expect(body.payload == expected)
        // No leading zero in the size, and the payload slice is the SSE bytes.
        #expect(bytes.first != UInt8(ascii: "0"))
        #expect(String(decoding: bytes.prefix(Int(offset) - 2), as: UTF8.self) == String(expected.count, radix: 16))
        let published = PublishedEvent(sequence: 1, id: "1-7", type: "quote", chunk: chunk, payloadOffset: offset)
        #expect(Array(published.payload.readableBytesView) == expected)
    }
}
