import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP client that sends raw request bytes and keeps every byte it receives.
final class RawClient {
    let fd: Int32
    private(set) var received: [UInt8] = []
    /// Whether the server closed (or reset) the connection.
    private(set) var closedByPeer = false

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` shrinks the socket's receive buffer (a slow reader).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw GatewayProcessError(message: "socket() failed") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // Thrown once every property is set: `deinit` runs and closes the socket.
        guard result == 0 else { throw GatewayProcessError(message: "connect() failed: errno \(errno)") }
    }

    deinit { Glibc.close(fd) }

    /// Sends `text` as is.
    func send(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: writing to a connection the server closed is an error here, not SIGPIPE.
            let written = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Sends a GET with the given extra header lines.
    func get(_ path: String, headers: [String] = []) {
        send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    /// Reads what is available within `timeout` seconds; false on timeout or when the peer closed.
    @discardableResult
    func readOnce(timeout: Double) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        guard ready > 0 else { return false }
        return readAvailable()
    }

    /// Reads once without waiting (the socket is known to be readable); false when the peer closed.
    func readAvailable() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if count <= 0 {
            closedByPeer = true
            return false
        }
        received.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads until `condition` holds on what was received, the peer closes, or `timeout` seconds pass.
    @discardableResult
    func read(until condition: (RawClient) -> Bool, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(self) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 || closedByPeer { return condition(self) }
            readOnce(timeout: min(left, 0.2))
        }
        return true
    }

    /// Reads until the server closes the connection (bounded by `timeout`).
    func readToEnd(timeout: Double = 10) {
        read(until: { $0.closedByPeer }, timeout: timeout)
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// The status code of the response.
    var status: Int? {
        guard let line = text.split(separator: "\r\n", maxSplits: 1).first else { return nil }
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// Whether the response head is complete.
    var hasHead: Bool { text.contains("\r\n\r\n") }

    /// The response headers, names lowercased.
    var headers: [String: String] {
        guard let end = text.range(of: "\r\n\r\n") else { return [:] }
        var headers: [String: String] = [:]
        for line in text[..<end.lowerBound].split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// The body received so far, as text; a chunked body is decoded (complete chunks only).
    var body: String {
        if headers["transfer-encoding"] == "chunked" { return ChunkedBody(response: received)?.text ?? "" }
        guard let end = text.range(of: "\r\n\r\n") else { return "" }
        return String(text[end.upperBound...])
    }

    /// Whether a chunked body ended with its last chunk (the server ended the stream cleanly).
    var bodyIsComplete: Bool { ChunkedBody(response: received)?.isComplete ?? false }

    /// The complete events of the body (comments and `retry:` blocks are left out).
    var events: [SSEEvent] { SSEEvent.parse(body) }
}

/// One event as read off the wire.
struct SSEEvent: Equatable {
    var id: String?
    var type: String?
    var data: [String]

    /// The complete events in `body` (everything before its last blank line).
    static func parse(_ body: String) -> [SSEEvent] {
        var events: [SSEEvent] = []
        let blocks = body.components(separatedBy: "\n\n")
        for block in blocks.dropLast() {
            var event = SSEEvent(id: nil, type: nil, data: [])
            var hasField = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)); hasField = true }
                if line.hasPrefix("event: ") { event.type = String(line.dropFirst(7)); hasField = true }
                if line.hasPrefix("data: ") { event.data.append(String(line.dropFirst(6))); hasField = true }
            }
            if hasField && !event.data.isEmpty { events.append(event) }
        }
        return events
    }

    /// The `seq` of data rendered as `n=SEQ…`.
    var sequence: Int? {
        guard let first = data.first, first.hasPrefix("n=") else { return nil }
        return Int(first.dropFirst(2).prefix { $0.isNumber })
    }
}

/// One request on a fresh connection, read to the end (`Connection: close`).
func fetch(port: Int, _ request: String, timeout: Double = 10) throws -> RawClient {
    let client = try RawClient(port: port)
    client.send(request)
    client.readToEnd(timeout: timeout)
    return client
}

/// A GET on a fresh connection that closes after the response.
func fetch(port: Int, get path: String, headers: [String] = []) throws -> RawClient {
    try fetch(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
}
