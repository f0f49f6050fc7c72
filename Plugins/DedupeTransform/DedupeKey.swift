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

/// Which part of an event is its identity for `dedupe`.
enum DedupeBy: Sendable, CustomStringConvertible {
    case id
    case data
    case dataPath(JSONPath)

    /// The key of `event`, or `nil` when it has none (no id; non-JSON data or a missing path).
    func key(of event: Event) -> DedupeKey? {
        switch self {
        case .id: return event.id.map(DedupeKey.init)
        case .data: return DedupeKey(event.data)
        case .dataPath(let path):
            guard let document = try? JSONValue.parse(event.data), let value = path.lookup(in: document) else { return nil }
            return DedupeKey(value.text)
        }
    }

    var description: String {
        switch self {
        case .id: "id"
        case .data: "data"
        case .dataPath(let path): "data.\(path)"
        }
    }
}
