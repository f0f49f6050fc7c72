import NIOCore
import NIOHTTP1

/// A complete, non-streaming response.
struct Response: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: String

    init(_ status: HTTPResponseStatus, headers: [(String, String)] = [], body: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response whose body is `text` and a newline.
    static func text(_ status: HTTPResponseStatus, _ text: String, headers: [(String, String)] = []) -> Response {
        Response(status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: text + "\n")
    }

    /// Serialises the response; `head` omits the body (for `HEAD`), `close` says the connection ends.
    func encode(omittingBody: Bool, close: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256 + body.utf8.count)
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for (name, value) in headers { buffer.writeString("\(name): \(value)\r\n") }
        // RFC 9110 §8.6: no Content-Length on a 204.
        if status != .noContent { buffer.writeString("Content-Length: \(body.utf8.count)\r\n") }
        // An HTTP/1.0 client keeps the connection only when told so (RFC 9112 §9.3); to a 1.1
        // client it is the default, and saying it costs nothing.
        buffer.writeString(close ? "Connection: close\r\n" : "Connection: keep-alive\r\n")
        buffer.writeString("\r\n")
        if !omittingBody { buffer.writeString(body) }
        return buffer
    }

    /// The response as HTTP/2 parts (its stream's codec makes the frames; `Connection` has no
    /// place in HTTP/2, and the stream's end ends the exchange).
    func parts(omittingBody: Bool) -> [HTTPServerResponsePart] {
        var fields = HTTPHeaders(headers)
        if status != .noContent { fields.add(name: "Content-Length", value: "\(body.utf8.count)") }
        var parts: [HTTPServerResponsePart] = [.head(HTTPResponseHead(version: .http2, status: status, headers: fields))]
        if !omittingBody && !body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(string: body)))) }
        parts.append(.end(nil))
        return parts
    }

    /// The head of an event stream over HTTP/2: its body is the stream's DATA frames.
    static func streamHeadPart(extraHeaders: [(String, String)]) -> HTTPServerResponsePart {
        let fields = HTTPHeaders(
            [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no")] + extraHeaders)
        return .head(HTTPResponseHead(version: .http2, status: .ok, headers: fields))
    }

    /// The head of an event stream: a chunked body (see ``ChunkFraming``) that ends when the
    /// gateway ends the stream; the connection is not reused after it.
    static func streamHead(extraHeaders: [(String, String)], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256)
        buffer.writeString(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
        )
        for (name, value) in extraHeaders { buffer.writeString("\(name): \(value)\r\n") }
        buffer.writeString("\r\n")
        return buffer
    }
}
