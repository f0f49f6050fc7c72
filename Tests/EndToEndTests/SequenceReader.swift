import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A stream reader for long, fast streams: it keeps no body, only the `n=SEQ` numbers of the
/// events' data, checked on the fly to be 1, 2, 3, … with no gap or duplicate.
///
/// Lines are found with `memchr`, so reading megabytes costs little even in a debug build;
/// chunk-framing lines are simply not `data:` lines.
final class SequenceReader {
    let fd: Int32
    /// The last sequence read.
    private(set) var last = 0
    /// Whether a sequence came out of order (a gap or a duplicate).
    private(set) var outOfOrder = false
    /// Whether the server closed the connection.
    private(set) var closedByPeer = false
    private(set) var bytesRead = 0
    private var partial: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init(port: Int, path: String, receiveBuffer: Int32? = nil) throws {
        let client = try RawClient(port: port, receiveBuffer: receiveBuffer)
        fd = dup(client.fd)
        client.get(path)
    }

    deinit { Glibc.close(fd) }

    /// Reads what is available (the socket is known to be readable); false once the peer closed.
    @discardableResult
    func readAvailable() -> Bool {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
        if count == 0 || (count < 0 && errno != EAGAIN) {
            closedByPeer = true
            return false
        }
        guard count > 0 else { return true }
        bytesRead += count
        buffer.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < count, let found = memchr(bytes.baseAddress! + start, 10, count - start) {
                let end = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if partial.isEmpty {
                    line(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                } else {
                    partial.append(contentsOf: bytes[start..<end])
                    partial.withUnsafeBufferPointer { line($0) }
                    partial.removeAll(keepingCapacity: true)
                }
                start = end + 1
            }
            if start < count { partial.append(contentsOf: bytes[start..<count]) }
        }
        return true
    }

    private static let prefix = Array("data: n=".utf8)

    private func line(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count > Self.prefix.count, bytes.starts(with: Self.prefix) else { return }
        var number = 0
        for byte in bytes.dropFirst(Self.prefix.count) {
            guard byte >= 48 && byte <= 57 else { break }
            number = number * 10 + Int(byte - 48)
        }
        if number != last + 1 { outOfOrder = true }
        last = number
    }

    /// Reads every reader until each has `target` (or closed), within `timeout` seconds.
    static func readAll(_ readers: [SequenceReader], until target: Int, timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        var descriptors = readers.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        while Date() < deadline, readers.contains(where: { $0.last < target && !$0.closedByPeer }) {
            guard poll(&descriptors, nfds_t(descriptors.count), 100) > 0 else { continue }
            for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                readers[index].readAvailable()
                if readers[index].closedByPeer { descriptors[index].events = 0 }
            }
        }
    }
}
