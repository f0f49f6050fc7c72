import CZlib
import NIOCore

/// A raw deflate stream (RFC 1951): the blocks a gzip member carries, without its framing.
///
/// Every call compresses its input and flushes, so the output ends on a byte boundary with
/// nothing held back: a client decodes each event as soon as its bytes arrive.
/// A *sync* flush keeps the history (later input may refer to earlier bytes); a *full* flush
/// also resets it, so what follows refers to nothing before and any client can start there.
final class Deflater {
    enum Flush {
        case sync
        case full

        fileprivate var zlibValue: Int32 { self == .sync ? Z_SYNC_FLUSH : Z_FULL_FLUSH }
    }

    /// zlib keeps the stream's address in its own state and checks it on every call: the
    /// stream lives at one address for the deflater's life.
    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32 = 6) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let result = czlib_deflate_init_raw(stream, level)
        // Fails only without memory or with a bad level, neither of which a caller can mend.
        precondition(result == Z_OK, "deflateInit2 failed: \(result)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Forgets the history: the next output refers to nothing before it.
    func reset() {
        deflateReset(stream)
    }

    /// Compresses `input`, flushes, and appends the output to `output`.
    func compress(_ input: ByteBuffer, flush: Flush, into output: inout ByteBuffer) {
        input.withUnsafeReadableBytes { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(source.count)
            // A flush adds at most a few bytes past the bound; loop in case it adds more.
            var room = Int(deflateBound(stream, uLong(source.count))) + 16
            while true {
                var finished = false
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { target in
                    stream.pointee.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(target.count)
                    let result = deflate(stream, flush.zlibValue)
                    precondition(result == Z_OK || result == Z_BUF_ERROR, "deflate failed: \(result)")
                    // Room left over: all input was taken and the flush is complete.
                    finished = stream.pointee.avail_out > 0
                    return target.count - Int(stream.pointee.avail_out)
                }
                if finished { break }
                room = 4096
            }
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
    }
}

@available(*, unavailable)
extension Deflater: Sendable {}
