import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One easy handle and the state of its response. Lives on the transfer thread only.
final class Transfer {
    let id: Int
    let request: HTTPRequest
    let handler: any HTTPStreamHandler
    let completion: @Sendable (HTTPStreamEnd) -> Void
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// When a byte was last received (or the transfer started): the idle timer's origin.
    var lastActivity: ContinuousClock.Instant

    // Response state, filled by the header callback.
    private var status: Int?
    private var fields: [HTTPHeaderField] = []
    private(set) var head: HTTPResponseHead?
    private(set) var declined = false
    private(set) var abortedByHandler = false

    init?(id: Int, request: HTTPRequest, handler: any HTTPStreamHandler, completion: @escaping @Sendable (HTTPStreamEnd) -> Void) {
        guard let easy = curl_easy_init() else { return nil }
        self.id = id
        self.request = request
        self.handler = handler
        self.completion = completion
        self.easy = easy
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        self.lastActivity = .now
    }

    /// Applies the request to the easy handle; a sentence when libcurl refuses it.
    func configure() -> String? {
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        var failures: [String] = []
        func check(_ code: CURLcode, _ what: String) {
            if code != CURLE_OK { failures.append("\(what): \(String(cString: curl_easy_strerror(code)))") }
        }
        check(ccurl_setopt_string(easy, CURLOPT_URL, request.url), "url '\(request.url)'")
        check(ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "nosignal")
        check(ccurl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")
        check(ccurl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        check(ccurl_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "redirect protocols")
        check(ccurl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, request.followsRedirects ? 1 : 0), "follow redirects")
        check(ccurl_setopt_long(easy, CURLOPT_MAXREDIRS, 10), "max redirects")
        check(ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.roundedUpMilliseconds), "connect timeout")
        // Headers of a proxy's CONNECT response would otherwise reach the header callback as
        // if they were the origin's.
        check(ccurl_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "proxy headers")
        check(ccurl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        if let timeout = request.timeout {
            check(ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout.roundedUpMilliseconds), "timeout")
        }
        if request.acceptsCompression {
            check(ccurl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""), "accept encoding")
        }
        if let proxy = Self.uppercaseHTTPProxy(for: request.url) {
            check(ccurl_setopt_string(easy, CURLOPT_PROXY, proxy), "proxy")
        }
        switch (request.method.uppercased(), request.body) {
        case ("GET", nil): break
        case ("HEAD", nil): check(ccurl_setopt_long(easy, CURLOPT_NOBODY, 1), "HEAD")
        case (let method, let body):
            if let body {
                check(ccurl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "body size")
                if body.isEmpty {
                    check(ccurl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, ""), "body")
                } else {
                    body.withUnsafeBufferPointer { bytes in
                        // COPYPOSTFIELDS copies, so the array need not outlive the call.
                        check(ccurl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!)), "body")
                    }
                }
            }
            if method != "POST" || body == nil {
                check(ccurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method), "method")
            }
        }
        for (name, value) in request.headers {
            let line = value.isEmpty ? "\(name);" : "\(name): \(value)"
            headerList = curl_slist_append(headerList, line)
        }
        if let headerList { check(ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "headers") }
        check(ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, userdata), "header data")
        check(ccurl_setopt_callback(easy, CURLOPT_HEADERFUNCTION, Transfer.headerCallback), "header callback")
        check(ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, userdata), "write data")
        check(ccurl_setopt_callback(easy, CURLOPT_WRITEFUNCTION, Transfer.writeCallback), "write callback")
        check(ccurl_setopt_pointer(easy, CURLOPT_PRIVATE, userdata), "private")
        return failures.isEmpty ? nil : failures.joined(separator: "; ")
    }

    /// libcurl reads `http_proxy` only in lower case (the upper-case name can be set by a CGI
    /// request's `Proxy:` header). A gateway is no CGI program, and users expect `HTTP_PROXY`
    /// to work as it does for most tools, so it is honoured when the lower-case one is unset.
    private static func uppercaseHTTPProxy(for url: String) -> String? {
        guard url.lowercased().hasPrefix("http://"), getenv("http_proxy") == nil, let value = getenv("HTTP_PROXY") else { return nil }
        let proxy = String(cString: value)
        return proxy.isEmpty ? nil : proxy
    }

    /// The outcome once libcurl reports the transfer done with `code`.
    func end(with code: CURLcode) -> HTTPStreamEnd {
        if head == nil, code == CURLE_OK { deliverHead() }
        if declined, let head { return .declined(head) }
        if abortedByHandler { return .failed(.abortedByHandler, head: head) }
        if code == CURLE_OK, let head { return .finished(head) }
        return .failed(error(for: code), head: head)
    }

    private func error(for code: CURLcode) -> HTTPError {
        if code == CURLE_OPERATION_TIMEDOUT, let timeout = request.timeout {
            return .timedOut(after: timeout)
        }
        var detail = String(cString: errorBuffer)
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        return .network(curlCode: Int(code.rawValue), detail: detail)
    }

    /// Frees the easy handle and everything it used. The handle must already be out of the multi.
    func close() {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer.deallocate()
    }

    // MARK: Callbacks (on the transfer thread, inside curl_multi_perform)

    private static let headerCallback: ccurl_data_callback = { data, size, count, userdata in
        let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        transfer.lastActivity = .now
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        return transfer.receiveHeaderLine(bytes) ? length : 0
    }

    private static let writeCallback: ccurl_data_callback = { data, size, count, userdata in
        let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        transfer.lastActivity = .now
        if transfer.head == nil { transfer.deliverHead() }
        if transfer.declined { return 0 }
        guard transfer.handler.receive(body: UnsafeRawBufferPointer(start: data, count: length)) else {
            transfer.abortedByHandler = true
            return 0
        }
        return length
    }

    /// Collects one header line; at the blank line that ends the final response's header
    /// block, hands the head to the handler. Returns `false` to abort.
    private func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Once the head is out, later lines are trailers: not part of the head.
        guard head == nil else { return true }
        // Header lines end with CRLF (LF alone from lax servers); neither is part of the line.
        var length = bytes.count
        while length > 0, bytes[length - 1] == UInt8(ascii: "\n") || bytes[length - 1] == UInt8(ascii: "\r") { length -= 1 }
        let line = Substring(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response (after 1xx, or a redirect being followed) starts over.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) : nil
            fields = []
            return true
        }
        if line.isEmpty {
            guard let status else { return true }
            if (100..<200).contains(status) { return true }
            if request.followsRedirects, [301, 302, 303, 307, 308].contains(status),
                fields.contains(where: { $0.name.lowercased() == "location" })
            {
                return true  // libcurl follows it; the next response's head is the one that counts.
            }
            deliverHead()
            return !declined
        }
        if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            fields.append(HTTPHeaderField(name: name, value: value))
        }
        return true
    }

    private func deliverHead() {
        var code = 0
        if status == nil {
            ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        }
        let head = HTTPResponseHead(status: status ?? code, headers: fields)
        self.head = head
        if handler.receive(head: head) == .decline { declined = true }
    }
}
