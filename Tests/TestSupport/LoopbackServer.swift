import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A scriptable HTTP/1.1 origin on 127.0.0.1 for tests: every connection runs `handler` on its
/// own thread with the parsed request, and the script writes whatever bytes it wants (a clean
/// stream, half an event, a stall, a wrong status).
///
/// ```swift
/// let server = try LoopbackServer { connection in
///     connection.startEventStream()
///     connection.write("data: hello\n\n")
/// }
/// defer { server.close() }
/// ```
public final class LoopbackServer: Sendable {
    /// The port the server listens on (chosen by the system).
    public let port: Int
    private let listener: Int32
    // A pthread mutex, which ThreadSanitizer sees (it does not see `Mutex`'s futex on Linux).
    private let state = NIOLockedValueBox(State())
    private let handler: @Sendable (LoopbackConnection) -> Void

    private struct State {
        var isClosed = false
        var open: [Int32] = []
        var running = 0
        var requests: [RecordedRequest] = []
        var connections = 0
    }

    /// Listens on a free loopback port and serves connections with `handler`.
    public init(handler: @escaping @Sendable (LoopbackConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError("socket failed: \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw LoopbackError("bind/listen failed: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = fd
        self.handler = handler
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    public func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request received so far, in order.
    public var requests: [RecordedRequest] { state.withLockedValue { $0.requests } }

    /// How many connections were accepted so far.
    public var connectionCount: Int { state.withLockedValue { $0.connections } }

    /// Stops accepting, cuts every open connection and waits (up to 5 s) for the scripts to end.
    public func close() {
        let open = state.withLockedValue { state -> [Int32] in
            state.isClosed = true
            return state.open
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        for _ in 0..<500 where state.withLockedValue({ $0.running > 0 }) { usleep(10_000) }
        Glibc.close(listener)
    }

    /// Cuts every open connection at once (an upstream crash), leaving the server listening.
    public func dropConnections() {
        for fd in state.withLockedValue({ $0.open }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Waits until `count` requests have arrived (up to `seconds`); whether they did.
    @discardableResult
    public func waitForRequests(_ count: Int, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if requests.count >= count { return true }
            usleep(5_000)
        }
        return requests.count >= count
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let index = state.withLockedValue { state -> Int? in
                if state.isClosed { return nil }
                state.open.append(fd)
                state.running += 1
                state.connections += 1
                return state.connections - 1
            }
            guard let index else {
                Glibc.close(fd)
                return
            }
            Thread.detachNewThread { [self] in serve(fd, index: index) }
        }
    }

    private func serve(_ fd: Int32, index: Int) {
        let connection = LoopbackConnection(fd: fd, index: index)
        if let request = connection.readRequest() {
            state.withLockedValue { $0.requests.append(request) }
            handler(connection)
        }
        state.withLockedValue { state in
            state.open.removeAll { $0 == fd }
            state.running -= 1
        }
        Glibc.close(fd)
    }
}

/// One request as the server received it.
public struct RecordedRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The request target, e.g. `/stream?x=1`.
    public var path: String
    /// Header fields in order.
    public var headers: [(name: String, value: String)]
    /// The body (from `Content-Length`).
    public var body: [UInt8]

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One accepted connection, driven by the test's script.
public final class LoopbackConnection: @unchecked Sendable {
    private let fd: Int32
    /// 0 for the first connection the server accepted, 1 for the second, …
    public let index: Int
    /// The request, once read.
    public private(set) var request = RecordedRequest(method: "", path: "", headers: [], body: [])

    init(fd: Int32, index: Int) {
        self.fd = fd
        self.index = index
    }

    /// Writes bytes; `false` once the peer is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Writes text as UTF-8; `false` once the peer is gone.
    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Writes a complete response with `Content-Length` and `Connection: close`.
    public func respond(status: Int, headers: [(String, String)] = [], body: String = "") {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        write(head + "\r\n" + body)
    }

    /// Writes a `200 text/event-stream` head (or another content type) with no length: the body
    /// runs until the connection closes.
    public func startEventStream(contentType: String = "text/event-stream", status: Int = 200) {
        write("HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: \(contentType)\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n")
    }

    /// Waits until the peer closes the connection or `seconds` pass; whether it closed.
    @discardableResult
    public func waitForPeerClose(seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 1024)
        while Date() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 20)
            if ready > 0 {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { return true }
            } else if ready < 0 && errno != EINTR {
                return true
            }
        }
        return false
    }

    func readRequest() -> RecordedRequest? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        while headerEnd == nil {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            received.append(contentsOf: buffer[0..<count])
            headerEnd = Self.find([13, 10, 13, 10], in: received)
        }
        let headText = String(decoding: received[0..<headerEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(received[(headerEnd! + 4)...])
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        while body.count < length {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            body.append(contentsOf: buffer[0..<count])
        }
        request = RecordedRequest(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
        return request
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 304: "Not Modified"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

struct LoopbackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
