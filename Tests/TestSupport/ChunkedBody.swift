/// An HTTP/1.1 chunked body (RFC 9112 §7.1) as read off the wire, decoded.
public struct ChunkedBody: Sendable {
    /// The payload of every complete chunk so far.
    public var payload: [UInt8] = []
    /// Whether the last chunk (`0\r\n\r\n`) was read: the server ended the body cleanly.
    public var isComplete = false
    /// Whether the bytes broke the framing.
    public var isMalformed = false

    /// Decodes `bytes` (the body after the response head), as far as it goes.
    public init<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) where Bytes.Index == Int {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            // The size line: hex digits, then CR LF.
            var size = 0
            var digits = 0
            while index < bytes.endIndex, let digit = Self.hexValue(bytes[index]) {
                size = size * 16 + digit
                digits += 1
                index += 1
            }
            guard index + 1 < bytes.endIndex else { return }
            guard digits > 0, bytes[index] == 13, bytes[index + 1] == 10 else {
                isMalformed = true
                return
            }
            index += 2
            if size == 0 {
                if index + 1 < bytes.endIndex {
                    isComplete = bytes[index] == 13 && bytes[index + 1] == 10
                    isMalformed = !isComplete
                }
                return
            }
            guard index + size + 2 <= bytes.endIndex else { return }
            payload.append(contentsOf: bytes[index..<(index + size)])
            guard bytes[index + size] == 13, bytes[index + size + 1] == 10 else {
                isMalformed = true
                return
            }
            index += size + 2
        }
    }

    /// The body of a whole response (head included), or `nil` while its head is incomplete.
    public init?(response bytes: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) }) else {
            return nil
        }
        self.init(bytes[(end + 4)...])
    }

    /// The payload as text.
    public var text: String { String(decoding: payload, as: UTF8.self) }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: return Int(byte - 48)
        case 65...70: return Int(byte - 55)
        case 97...102: return Int(byte - 87)
        default: return nil
        }
    }
}
