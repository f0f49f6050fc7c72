import CurlHTTP
import TestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Collects what a stream delivers, and can decline at the head.
final class RecordingHandler: HTTPStreamHandler, @unchecked Sendable {
    let accepts: @Sendable (HTTPResponseHead) -> Bool
    private let recorded = Locked<(heads: [HTTPResponseHead], body: [UInt8])>(([], []))

    init(accepts: @escaping @Sendable (HTTPResponseHead) -> Bool = { _ in true }) { self.accepts = accepts }

    var heads: [HTTPResponseHead] { recorded.withLock { $0.heads } }
    var body: [UInt8] { recorded.withLock { $0.body } }
    var text: String { String(decoding: body, as: UTF8.self) }

    func receive(head: HTTPResponseHead) -> HTTPHeadDecision {
        recorded.withLock { $0.heads.append(head) }
        return accepts(head) ? .accept : .decline
    }

    func receive(body chunk: UnsafeRawBufferPointer) -> Bool {
        recorded.withLock { $0.body.append(contentsOf: chunk) }
        return true
    }
}

@Suite struct CurlClientTests {
    let client = CurlClient.shared

    @Test func deliversBodyChunksBeforeTheResponseEnds() async throws {
        let release = Locked(false)
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write("data: first\n\n")
            while !release.withLock({ $0 }) { usleep(2_000) }
            connection.write("data: second\n\n")
        }
        defer { server.close() }
        let handler = RecordingHandler()
        let task = Task { await client.stream(HTTPRequest(url: server.url("/s")), handler: handler) }
        #expect(await eventually { handler.text == "data: first\n\n" })
        release.withLock { $0 = true }
        let end = await task.value
        #expect(handler.text == "data: first\n\ndata: second\n\n")
        guard case .finished(let head) = end else { Issue.record("unexpected end \(end)"); return }
        #expect(head.status == 200)
        #expect(head.mediaType == "text/event-stream")
        #expect(handler.heads.count == 1)
    }

    @Test func decliningTheHeadReadsNoBody() async throws {
        let server = try LoopbackServer { connection in
            connection.respond(status: 503, headers: [("Content-Type", "text/plain")], body: "overloaded")
        }
        defer { server.close() }
        let handler = RecordingHandler { $0.status == 200 }
        let end = await client.stream(HTTPRequest(url: server.url()), handler: handler)
        #expect(end == .declined(HTTPResponseHead(status: 503, headers: end.head?.headers ?? [])))
        #expect(end.head?.value(of: "content-type") == "text/plain")
        #expect(handler.body.isEmpty)
    }

    @Test func aSilentStreamEndsAtItsIdleTimeout() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write(": hello\n\n")
            connection.waitForPeerClose(seconds: 20)
        }
        defer { server.close() }
        let handler = RecordingHandler()
        let end = await client.stream(HTTPRequest(url: server.url(), idleTimeout: .milliseconds(300)), handler: handler)
        guard case .failed(let error, let head) = end else { Issue.record("unexpected end \(end)"); return }
        #expect(error.reason == "read_timeout")
        #expect(head?.status == 200)
        #expect(handler.text == ": hello\n\n")
    }

    @Test func cancellingTheTaskEndsTheTransfer() async throws {
        let closed = Locked(false)
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            closed.withLock { $0 = connection.waitForPeerClose(seconds: 20) }
        }
        defer { server.close() }
        let handler = RecordingHandler()
        let task = Task { await client.stream(HTTPRequest(url: server.url()), handler: handler) }
        #expect(await eventually { handler.heads.count == 1 })
        task.cancel()
        let end = await task.value
        guard case .failed(let error, _) = end else { Issue.record("unexpected end \(end)"); return }
        #expect(error.isCancellation)
        #expect(await eventually { closed.withLock { $0 } })
    }

    @Test func fetchSendsMethodHeadersAndBodyAndCollectsTheResponse() async throws {
        let server = try LoopbackServer { connection in
            connection.respond(status: 201, headers: [("Content-Type", "application/json"), ("ETag", "\"v1\"")], body: "{\"ok\":true}")
        }
        defer { server.close() }
        let request = HTTPRequest(
            url: server.url("/api?x=1"), method: "POST", headers: [("X-Token", "abc")], body: Array("{\"q\":1}".utf8),
            timeout: .seconds(10))
        let response = try await client.fetch(request)
        #expect(response.head.status == 201)
        #expect(response.head.value(of: "etag") == "\"v1\"")
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"ok\":true}")
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/api?x=1")
        #expect(received.header("X-Token") == "abc")
        #expect(String(decoding: received.body, as: UTF8.self) == "{\"q\":1}")
    }

    @Test func anEmptyBodyIsSentWithAZeroLengthAndOtherMethodsAsGiven() async throws {
        let server = try LoopbackServer { connection in connection.respond(status: 204) }
        defer { server.close() }
        let response = try await client.fetch(HTTPRequest(url: server.url(), method: "PUT", body: [], timeout: .seconds(10)))
        #expect(response.head.status == 204)
        let received = try #require(server.requests.first)
        #expect(received.method == "PUT")
        #expect(received.header("Content-Length") == "0")
        #expect(received.body.isEmpty)
    }

    @Test func fetchGivesUpAtItsTotalTimeout() async throws {
        let server = try LoopbackServer { connection in
            connection.waitForPeerClose(seconds: 20)
        }
        defer { server.close() }
        do {
            _ = try await client.fetch(HTTPRequest(url: server.url(), timeout: .milliseconds(300)))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.reason == "timeout")
            #expect(error.isTimeout)
        }
    }

    @Test func aRefusedConnectionIsANetworkErrorWithASentence() async throws {
        // Nothing listens on port 1 (a privileged port no test server can get).
        let url = "http://127.0.0.1:1/"
        do {
            _ = try await client.fetch(HTTPRequest(url: url, timeout: .seconds(10)))
            Issue.record("expected a network error")
        } catch {
            #expect(error.reason == "network")
            #expect(error.description.contains("127.0.0.1"))
        }
    }

    @Test func redirectsAreFollowedAndOnlyTheFinalHeadIsDelivered() async throws {
        let server = try LoopbackServer { connection in
            if connection.request.path == "/old" {
                connection.respond(status: 307, headers: [("Location", "/new")])
            } else {
                connection.respond(status: 200, headers: [("Content-Type", "text/plain")], body: "moved here")
            }
        }
        defer { server.close() }
        let handler = RecordingHandler()
        let end = await client.stream(HTTPRequest(url: server.url("/old")), handler: handler)
        #expect(end.head?.status == 200)
        #expect(handler.heads.map(\.status) == [200])
        #expect(handler.text == "moved here")
    }

    @Test func aClientThatShutsDownCancelsItsTransfers() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.waitForPeerClose(seconds: 20)
        }
        defer { server.close() }
        let ownClient = CurlClient()
        let handler = RecordingHandler()
        let task = Task { await ownClient.stream(HTTPRequest(url: server.url()), handler: handler) }
        #expect(await eventually { handler.heads.count == 1 })
        ownClient.shutdown()
        let end = await task.value
        guard case .failed(let error, _) = end else { Issue.record("unexpected end \(end)"); return }
        #expect(error.isCancellation)
        let after = await ownClient.stream(HTTPRequest(url: server.url()), handler: RecordingHandler())
        guard case .failed(let late, _) = after else { Issue.record("unexpected end \(after)"); return }
        #expect(late.isCancellation)
    }
}
