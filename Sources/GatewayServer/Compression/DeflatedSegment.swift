import CZlib
import NIOCore

/// Some stream bytes compressed into deflate blocks that end on a byte boundary, framed once
/// as an HTTP/1.1 chunk (like ``PublishedEvent/chunk``) and shared by every client sent them.
///
/// A gzip member ends with the CRC-32 of everything it carried. Each client's differs (clients
/// connect at different times), so a segment carries its input's CRC and the operator that
/// appends it to another CRC (zlib's `crc32_combine_gen`, computed once here): a client's
/// running CRC then costs one small product per segment, never a pass over the bytes.
struct DeflatedSegment {
    /// The compressed bytes framed as one chunk.
    let chunk: ByteBuffer
    /// Where the compressed bytes start in ``chunk``.
    let payloadOffset: UInt32
    /// CRC-32 of the uncompressed input.
    let crc: UInt
    /// Appends this segment's CRC to a running one (`crc32_combine_op`).
    let combiner: UInt
    /// The uncompressed input's length.
    let inputLength: Int
    /// Whether the blocks refer to nothing before them: any client may be sent them next.
    let startsFresh: Bool

    /// Compresses `input` with `deflater` and frames the result.
    init(compressing input: ByteBuffer, with deflater: Deflater, flush: Deflater.Flush, startsFresh: Bool) {
        let framed = ChunkFraming.encode(capacity: input.readableBytes / 2 + 64) { output in
            deflater.compress(input, flush: flush, into: &output)
        }
        chunk = framed.chunk
        payloadOffset = framed.payloadOffset
        inputLength = input.readableBytes
        crc = input.withUnsafeReadableBytes { bytes in
            UInt(crc32(0, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
        }
        combiner = UInt(czlib_crc32_combine_gen(input.readableBytes))
        self.startsFresh = startsFresh
    }

    /// The compressed bytes alone (a slice of ``chunk``).
    var payload: ByteBuffer {
        chunk.getSlice(at: chunk.readerIndex + Int(payloadOffset), length: chunk.readableBytes - Int(payloadOffset) - 2)!
    }
}

/// The gzip member (RFC 1952) around a client's deflate blocks: a fixed header, and at the
/// end an empty last block, the CRC-32 and the length of what it carried.
enum GzipFraming {
    /// Magic, deflate, no flags, no time, no extra flags, unknown system.
    static let header = ByteBuffer(bytes: [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF])

    /// The member's end after blocks whose input had CRC `crc` and `length` bytes (mod 2³²).
    static func trailer(crc: UInt, length: UInt32) -> ByteBuffer {
        var buffer = ByteBuffer()
        // A final block with fixed Huffman codes holding only its end code: the bits 1, 01, 0000000.
        buffer.writeBytes([0x03, 0x00])
        buffer.writeInteger(UInt32(truncatingIfNeeded: crc), endianness: .little)
        buffer.writeInteger(length, endianness: .little)
        return buffer
    }

    /// The CRC of the bytes of `crc` followed by those of `segment`.
    @inline(__always)
    static func combine(_ crc: UInt, with segment: DeflatedSegment) -> UInt {
        UInt(crc32_combine_op(uLong(crc), uLong(segment.crc), uLong(segment.combiner)))
    }
}
