import CZlib
import GatewayPlugin
import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayServer

/// Gzip'd streams (SPEC §6): what each client is sent decodes to exactly its events, clients
/// that keep up are sent the same shared segments, and the member's trailer checks.
@Suite struct GzipStreamTests {
    let loop = EmbeddedEventLoop()

    /// An event whose JSON repeats itself across events, as real streams' do.
    func jsonEvent(_ sequence: UInt64, type: String = "update") -> PublishedEvent {
        let data = #"{"order":\#(sequence),"status":"shipped","carrier":"postal","items":[{"sku":"A-\#(sequence % 7)","qty":1}]}"#
        let (chunk, offset) = ChunkFraming.encode(Event(id: "1-\(sequence)", event: type, data: data), allocator: ByteBufferAllocator())
        return PublishedEvent(sequence: sequence, id: "1-\(sequence)", type: type, chunk: chunk, payloadOffset: offset)
    }

    @Test func clientsThatKeepUpShareSegmentsAndEveryClientDecodesItsOwnEvents() throws {
        let compressor = LoopCompressor()
        let early = RecordingTransport(loop: loop)
        let earlyWriter = GzipStreamWriter(transport: early, compressor: compressor)
        var late: (transport: RecordingTransport, writer: GzipStreamWriter)?
        let picky = RecordingTransport(loop: loop)
        let pickyWriter = GzipStreamWriter(transport: picky, compressor: compressor)
        var expected: (early: String, late: String, picky: String) = ("", "", "")
        var lateWritesAtBatch: [Int: (early: Int, late: Int)] = [:]

        var sequence: UInt64 = 1
        for batchIndex in 0..<40 {
            if batchIndex == 5 {
                let transport = RecordingTransport(loop: loop)
                late = (transport, GzipStreamWriter(transport: transport, compressor: compressor))
                late!.writer.write(text: ByteBuffer(string: "retry: 2000\n\n"))
                expected.late += "retry: 2000\n\n"
            }
            let batch = (0..<4).map { offset in jsonEvent(sequence + UInt64(offset), type: offset == 3 ? "rare" : "update") }
            sequence += 4
            lateWritesAtBatch[batchIndex] = (early.writes.count, late?.transport.writes.count ?? 0)
            compressor.share(batch)
            for event in batch {
                let text = String(buffer: event.payload)
                earlyWriter.write(event)
                expected.early += text
                if let late {
                    late.writer.write(event)
                    expected.late += text
                }
                if event.type == "rare" {
                    pickyWriter.write(event)
                    expected.picky += text
                }
            }
            compressor.endSharing()
        }
        _ = earlyWriter.end()
        _ = late!.writer.end()
        _ = pickyWriter.end()

        let earlyDecoded = try gunzip(early.bytes)
        #expect(earlyDecoded.text == expected.early)
        #expect(earlyDecoded.complete, "the trailer's CRC and length check")
        let lateDecoded = try gunzip(late!.transport.bytes)
        #expect(lateDecoded.text == expected.late && lateDecoded.complete)
        let pickyDecoded = try gunzip(picky.bytes)
        #expect(pickyDecoded.text == expected.picky && pickyDecoded.complete)

        // Joined: over the last ten batches the late client was sent the very bytes the early one was.
        let earlyTail = early.writes[lateWritesAtBatch[30]!.early..<(early.writes.count - 1)]
        let lateTail = late!.transport.writes[lateWritesAtBatch[30]!.late..<(late!.transport.writes.count - 1)]
        #expect(Array(earlyTail) == Array(lateTail))
        // With history JSON events compress several-fold.
        #expect(early.bytes.count * 3 < expected.early.utf8.count, "\(early.bytes.count) bytes for \(expected.early.utf8.count)")
    }

    @Test func aSequenceCarryingOtherBytesIsNotServedFromTheCache() throws {
        let compressor = LoopCompressor()
        let transport = RecordingTransport(loop: loop)
        let writer = GzipStreamWriter(transport: transport, compressor: compressor)
        let event = jsonEvent(7)
        var endEvent = jsonEvent(7, type: "snapshot-end")
        let (chunk, offset) = ChunkFraming.encode(Event(id: "1-7", event: "snapshot-end", data: #"{"events":3}"#), allocator: ByteBufferAllocator())
        endEvent.chunk = chunk
        endEvent.payloadOffset = offset
        writer.write(event)
        writer.write(endEvent)
        _ = writer.end()
        let decoded = try gunzip(transport.bytes)
        #expect(decoded.text == String(buffer: event.payload) + String(buffer: endEvent.payload))
        #expect(decoded.complete)
    }

    @Test func heartbeatsAndNoticesKeepTheStreamDecodable() throws {
        let compressor = LoopCompressor()
        let transport = RecordingTransport(loop: loop)
        let writer = GzipStreamWriter(transport: transport, compressor: compressor)
        var expected = ""
        for round in 0..<20 {
            let batch = [jsonEvent(UInt64(2 * round + 1)), jsonEvent(UInt64(2 * round + 2))]
            compressor.share(batch)
            for event in batch {
                writer.write(event)
                expected += String(buffer: event.payload)
            }
            compressor.endSharing()
            if round % 3 == 0 {
                writer.writeHeartbeat()
                expected += String(buffer: WireFormat.heartbeat)
            }
        }
        _ = writer.end()
        let decoded = try gunzip(transport.bytes)
        #expect(decoded.text == expected && decoded.complete)
    }

    @Test(arguments: [
        ("gzip", true), ("gzip, deflate, br", true), ("GZIP;q=0.5", true), ("x-gzip", true), ("*", true),
        ("deflate", false), ("", false), ("gzip;q=0", false), ("*, gzip;q=0", false), ("identity", false),
        ("gzip; q=0.000", false), ("gzip;q=abc", false), ("br;q=1, *;q=0.1", true),
    ])
    func acceptEncoding(_ header: String, _ accepts: Bool) {
        #expect(ContentCoding.acceptsGzip([header]) == accepts, "\(header)")
    }
}

/// A stream's connection that keeps every write's bytes without HTTP framing.
final class RecordingTransport: StreamTransport {
    private let loop: EmbeddedEventLoop
    private(set) var writes: [[UInt8]] = []
    var bytes: [UInt8] { writes.flatMap { $0 } }

    init(loop: EmbeddedEventLoop) { self.loop = loop }

    func write(_ event: PublishedEvent) { writes.append(Array(event.payload.readableBytesView)) }
    func write(chunk: ByteBuffer, payloadOffset: UInt32) {
        let payload = chunk.getSlice(at: chunk.readerIndex + Int(payloadOffset), length: chunk.readableBytes - Int(payloadOffset) - 2)!
        writes.append(Array(payload.readableBytesView))
    }
    func write(text bytes: ByteBuffer) { writes.append(Array(bytes.readableBytesView)) }
    func writeHeartbeat() { writes.append(Array(WireFormat.heartbeat.readableBytesView)) }
    func flush() {}
    var isWritable: Bool { true }
    var bufferedBytes: Int { 0 }
    func end(after last: ByteBuffer?) -> EventLoopFuture<Void> {
        if let last { write(text: last) }
        return loop.makeSucceededVoidFuture()
    }
    var closeFuture: EventLoopFuture<Void> { loop.makeSucceededVoidFuture() }
    func close() {}
}

struct GunzipError: Error, CustomStringConvertible {
    let code: Int32
    var description: String { "inflate failed with \(code)" }
}

/// Decodes a gzip member; `complete` when it ended with a trailer whose CRC and length match.
func gunzip(_ bytes: [UInt8]) throws -> (text: String, complete: Bool) {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer {
        inflateEnd(stream)
        stream.deallocate()
    }
    guard czlib_inflate_init_gzip(stream) == Z_OK else { throw GunzipError(code: -1) }
    var output: [UInt8] = []
    var input = bytes
    var result: Int32 = Z_OK
    input.withUnsafeMutableBufferPointer { source in
        stream.pointee.next_in = source.baseAddress
        stream.pointee.avail_in = uInt(source.count)
        var chunk = [UInt8](repeating: 0, count: 65536)
        repeat {
            let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = uInt(target.count)
                result = inflate(stream, Z_NO_FLUSH)
                return target.count - Int(stream.pointee.avail_out)
            }
            output += chunk[..<produced]
        } while result == Z_OK && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
    }
    guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else { throw GunzipError(code: result) }
    return (String(decoding: output, as: UTF8.self), result == Z_STREAM_END)
}
