import GatewayPlugin

/// What `dedupe` remembers of a key: short keys as they are, long ones (whole payloads) as a
/// 128-bit digest, so the window's memory stays bounded by its count, not by event sizes.
enum DedupeKey: Hashable {
    case text(String)
    case digest(UInt64, UInt64)

    static let longestKept = 64

    init(_ text: String) {
        guard text.utf8.count > Self.longestKept else {
            self = .text(text)
            return
        }
        // Two independent FNV-1a variants (different offset bases and primes): a false duplicate
        // needs both 64-bit halves to collide.
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        for byte in text.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_0193 &+ 0x9e37_79b9_7f4a_7c15
        }
        self = .digest(first, second ^ UInt64(text.utf8.count))
    }
}
