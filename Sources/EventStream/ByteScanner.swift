/// Fast searches over raw bytes, eight at a time.
///
/// The module imports nothing but the standard library, so instead of `memchr` these use the classic
/// SWAR ("SIMD within a register") test: for a word `x`, `(x - 0x01…01) & ~x & 0x80…80` is non-zero iff
/// some byte of `x` is zero, and its lowest set bit marks the first such byte (a borrow can only mark
/// bytes *above* a real zero byte). XOR-ing the word with a repeated byte turns "equals that byte" into
/// "is zero".
enum ByteScanner {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lfs: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
    private static let crs: UInt64 = 0x0D0D_0D0D_0D0D_0D0D

    /// The high bit of each byte of `word` that is zero, and maybe of some bytes above the first one.
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highBits
    }

    /// The offset of the first CR or LF in `base[start..<end]`, or `nil` when there is none.
    @inline(__always)
    static func firstLineBreak(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        var index = start
        // Two words per round: long lines (64 KiB data) spend their time here.
        while index + 16 <= end {
            let low = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let high = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self))
            let lowHits = zeroBytes(low ^ lfs) | zeroBytes(low ^ crs)
            let highHits = zeroBytes(high ^ lfs) | zeroBytes(high ^ crs)
            if lowHits != 0 {
                return index + (lowHits.trailingZeroBitCount >> 3)
            }
            if highHits != 0 {
                return index + 8 + (highHits.trailingZeroBitCount >> 3)
            }
            index += 16
        }
        if index + 8 <= end {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let hits = zeroBytes(word ^ lfs) | zeroBytes(word ^ crs)
            if hits != 0 {
                return index + (hits.trailingZeroBitCount >> 3)
            }
            index += 8
        }
        while index < end {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == .lf || byte == .cr {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Whether `base[0..<count]` contains `byte`.
    @inline(__always)
    static func contains(_ byte: UInt8, in base: UnsafeRawPointer, count: Int) -> Bool {
        var index = 0
        while index < count {
            if base.load(fromByteOffset: index, as: UInt8.self) == byte {
                return true
            }
            index += 1
        }
        return false
    }
}
