import CurlHTTP
import GatewayConfig
import GatewayPlugin
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import SSESource

/// Runs `source` in a task until `body` returns, then cancels it and waits for it to end.
func running<T>(_ source: SSESource, _ recorder: RecordingOutput, maxEventSize: Int = 1 << 20, _ body: () async throws -> T) async throws -> T {
    let task = Task { try await source.run(recorder.context(maxEventSize: maxEventSize)) }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    _ = try await task.value
    return result
}

/// Events 1…n of a numbered stream, as the upstream writes them.
func numbered(_ range: ClosedRange<Int>) -> String {
    range.map { "id: \($0)\nevent: tick\ndata: {\"n\":\($0)}\n\n" }.joined()
}

@Suite struct SSESourceTests {
    /// A source with short delays and no randomness: each delay is its ceiling.
    func source(_ url: String, initial: Duration = .milliseconds(20), max: Duration = .milliseconds(200), readTimeout: Duration = .seconds(30)) -> SSESource {
        var source = SSESource(url: url, initialDelay: initial, maximumDelay: max, readTimeout: readTimeout)
        source.jitter = { $0 }
        return source
    }

    @Test func relaysEventsByteExact() async throws {
        let stream =
            "id: 1\nevent: quote\ndata: {\"symbol\":\"ACME\",\"price\":101.5}\n\n"
            + "id: 2\ndata: first line\ndata: second line\n\n"
            + "id: 3\nevent: note\ndata: caf\u{E9} \u{1F680} \u{2028}tab\there\n\n"
            + "id: 4\ndata:  leading space kept\n\n"
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            // Split mid-field and mid-character to show chunking does not matter.
            let bytes = Array(stream.utf8)
            connection.write(Array(bytes[0..<17]))
            connection.write(Array(bytes[17..<95]))
            connection.write(Array(bytes[95...]))
            connection.write(": a comment the relay does not forward\n\n")
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url("/stream")), recorder) {
            #expect(await eventually { recorder.events.count == 4 })
        }
        var relayed: [UInt8] = []
        for event in recorder.events { SSEEncoder.encode(event, into: &relayed) }
        #expect(String(decoding: relayed, as: UTF8.self) == stream)
        #expect(recorder.readyCount >= 1)
        let request = try #require(server.requests.first)
        #expect(request.header("Accept") == "text/event-stream")
        #expect(request.header("Last-Event-ID") == nil)
    }

    @Test func anUpstreamKilledMidEventResumesFromTheLastIDWithNothingLostOrDuplicated() async throws {
        let all = Array(numbered(1...6).utf8)
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            let resumeAfter = Int(connection.request.header("Last-Event-ID") ?? "0") ?? 0
            let rest = numbered((resumeAfter + 1)...6)
            if connection.index == 0 {
                // Three whole events, then half of the fourth, then the process "dies".
                let cut = numbered(1...3).utf8.count + 20
                connection.write(Array(all[0..<cut]))
                return
            }
            connection.write(rest)
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url()), recorder) {
            #expect(await eventually { recorder.events.count >= 6 })
        }
        #expect(recorder.events.map(\.id) == ["1", "2", "3", "4", "5", "6"])
        #expect(recorder.events.map(\.data) == (1...6).map { "{\"n\":\($0)}" })
        #expect(server.requests.count == 2)
        #expect(server.requests.dropFirst(1).first?.header("Last-Event-ID") == "3")
        #expect(recorder.reconnects.first == "eof")
    }

    @Test func noContentStopsTheSourceForGood() async throws {
        let server = try LoopbackServer { connection in connection.respond(status: 204) }
        defer { server.close() }
        let recorder = RecordingOutput()
        let completion = try await source(server.url()).run(recorder.context())
        #expect(completion == .finished)
        #expect(server.requests.count == 1)
        #expect(recorder.reconnects.isEmpty)
    }

    @Test func aServerErrorIsRetriedWithBackoffUntilTheStreamRecovers() async throws {
        let server = try LoopbackServer { connection in
            if connection.index < 2 {
                connection.respond(status: 500, body: "boom")
                return
            }
            connection.startEventStream()
            connection.write(numbered(1...2))
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url()), recorder) {
            #expect(await eventually { recorder.events.count == 2 })
        }
        #expect(Array(recorder.reconnects.prefix(2)) == ["http_500", "http_500"])
        #expect(recorder.events.map(\.id) == ["1", "2"])
    }

    @Test func aWrongContentTypeIsRetriedAtTheMaximumDelay() async throws {
        let times = Locked<[ContinuousClock.Instant]>([])
        let server = try LoopbackServer { connection in
            times.withLock { $0.append(.now) }
            if connection.index == 0 {
                connection.respond(status: 200, headers: [("Content-Type", "text/html")], body: "<html>")
                return
            }
            connection.startEventStream()
            connection.write(numbered(1...1))
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        // Backoff would wait 1 ms; the maximum is 400 ms.
        try await running(source(server.url(), initial: .milliseconds(1), max: .milliseconds(400)), recorder) {
            #expect(await eventually { recorder.events.count == 1 })
        }
        #expect(recorder.reconnects.first == "content_type")
        let seen = times.withLock { $0 }
        #expect(seen.count == 2)
        if seen.count == 2 { #expect(seen[1] - seen[0] >= .milliseconds(400)) }
    }

    @Test func aClientErrorIsRetriedAtTheMaximumDelayAndLogged() async throws {
        let server = try LoopbackServer { connection in
            if connection.index == 0 {
                connection.respond(status: 404, body: "no such stream")
                return
            }
            connection.startEventStream()
            connection.write(numbered(1...1))
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url(), initial: .milliseconds(1), max: .milliseconds(100)), recorder) {
            #expect(await eventually { recorder.events.count == 1 })
        }
        #expect(recorder.reconnects.first == "http_404")
    }

    @Test func aStalledUpstreamIsDetectedByTheReadTimeout() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write("id: \(connection.index + 1)\ndata: x\n\n")
            connection.waitForPeerClose(seconds: 30)  // then silence
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url(), readTimeout: .milliseconds(300)), recorder) {
            #expect(await eventually { server.requests.count >= 2 })
        }
        #expect(recorder.reconnects.first == "read_timeout")
        #expect(server.requests.dropFirst(1).first?.header("Last-Event-ID") == "1")
    }

    @Test func commentsKeepAStreamAliveUnderTheReadTimeout() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            // 2 s of comments every 50 ms, against a read timeout of 1.5 s: room for a loaded machine
            // (at 500 ms a fresh-clone run of the whole suite on two busy cores once stalled past it).
            for _ in 0..<40 {
                guard connection.write(": ping\n\n") else { return }
                usleep(50_000)
            }
            connection.write("data: done\n\n")
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url(), readTimeout: .milliseconds(1500)), recorder) {
            #expect(await eventually { recorder.events.count == 1 })
        }
        #expect(recorder.reconnects.isEmpty)
        #expect(server.requests.count == 1)
    }

    @Test func theServersRetryReplacesTheInitialDelay() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write("retry: 50\nid: \(connection.index + 1)\ndata: x\n\n")
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        // Without the server's retry the source would wait 60 s before the second connection.
        try await running(source(server.url(), initial: .seconds(60), max: .seconds(120)), recorder) {
            #expect(await eventually { server.requests.count >= 3 })
        }
        #expect(recorder.reconnects.prefix(2) == ["eof", "eof"])
        #expect(server.requests.dropFirst(2).first?.header("Last-Event-ID") == "2")
    }

    @Test func anUpstreamThatSendsRetryZeroAndClosesAtOnceIsNotReconnectedInATightLoop() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write("retry: 0\nid: \(connection.index + 1)\ndata: x\n\n")
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        // Without the floor and the backoff on short-lived streams this reconnected hundreds of
        // times a second; now 100 ms, then 200, 400, 800: four connections in the first second.
        let started = ContinuousClock.now
        try await running(source(server.url(), initial: .milliseconds(1), max: .seconds(30)), recorder) {
            #expect(await eventually { server.requests.count >= 2 }, "it does reconnect")
            try await Task.sleep(for: max(.zero, .seconds(1) - (ContinuousClock.now - started)))
        }
        #expect(server.requests.count <= 6, "\(server.requests.count) connections in the first second")
    }

    @Test func anEventOverMaxEventSizeIsDroppedAndCounted() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write("id: 1\ndata: small\n\n")
            connection.write("id: 2\ndata: \(String(repeating: "x", count: 500))\n\n")
            connection.write("id: 3\ndata: small again\n\n")
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url()), recorder, maxEventSize: 100) {
            #expect(await eventually { recorder.events.count == 2 })
        }
        #expect(recorder.events.map(\.data) == ["small", "small again"])
        #expect(recorder.drops == ["too_large"])
    }

    @Test func anUpstreamLineThatNeverEndsIsCountedOnceWhileItIsStillArriving() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write("id: 1\ndata: small\n\ndata: ")
            for _ in 0..<50 { connection.write(String(repeating: "z", count: 1000)) }
            connection.waitForPeerClose()
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        try await running(source(server.url()), recorder, maxEventSize: 1000) {
            #expect(await eventually { recorder.drops == ["too_large"] })
        }
        #expect(recorder.drops == ["too_large"])
        #expect(recorder.events.map(\.data) == ["small"])
    }

    @Test func configuredHeadersAreSentOnEveryConnection() async throws {
        let server = try LoopbackServer { connection in
            connection.startEventStream()
            connection.write("id: a\ndata: x\n\n")
        }
        defer { server.close() }
        let recorder = RecordingOutput()
        let made = try SSESource.plugin.make(yaml: "{ url: '\(server.url())', headers: { Authorization: Bearer abc }, reconnect: { initial: 10ms, max: 20ms } }").get()
        var source = try #require(made as? SSESource)
        source.jitter = { $0 }
        try await running(source, recorder) {
            #expect(await eventually { server.requests.count >= 2 })
        }
        #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer abc" })
        #expect(server.requests.dropFirst(1).first?.header("Last-Event-ID") == "a")
    }
}

@Suite struct BackoffTests {
    @Test func theCeilingDoublesUpToTheMaximumAndAHealthyStreamResetsIt() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1)) { $0 }
        let delays = (0..<6).map { _ in backoff.nextDelay() }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        backoff.reset()
        #expect(backoff.nextDelay() == .milliseconds(100))
    }

    @Test func noDelayIsShorterThanTheFloor() {
        var backoff = Backoff(initial: .milliseconds(1), maximum: .seconds(1)) { _ in .zero }
        #expect(backoff.nextDelay() == Backoff.floor)
        #expect(backoff.nextDelay() == Backoff.floor)
    }

    @Test func aRepeatedWarningIsLoggedOncePerIntervalWithTheCountHeldBack() {
        var limiter = LogLimiter(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(limiter.admit(at: start) == 0)
        #expect(limiter.admit(at: start + .seconds(1)) == nil)
        #expect(limiter.admit(at: start + .seconds(9)) == nil)
        #expect(limiter.admit(at: start + .seconds(10)) == 2)
        #expect(limiter.admit(at: start + .seconds(11)) == nil)
        #expect(limiter.admit(at: start + .seconds(30)) == 1)
    }

    @Test func fullJitterStaysWithinTheCeiling() {
        for _ in 0..<200 {
            let delay = Backoff.fullJitter(.milliseconds(250))
            #expect(delay >= .zero && delay <= .milliseconds(250))
        }
    }
}

@Suite struct ReconnectDecisionTests {
    @Test func classifiesEveryWayAConnectionEnds() {
        let head = { (status: Int) in HTTPResponseHead(status: status) }
        #expect(ReconnectDecision(.finished(head(200))) == .retry(reason: "eof"))
        #expect(ReconnectDecision(.declined(head(204))) == .stop(reason: "http_204"))
        #expect(ReconnectDecision(.declined(head(503))) == .retry(reason: "http_503"))
        #expect(ReconnectDecision(.declined(head(200))) == .retryAtMaximum(reason: "content_type"))
        #expect(ReconnectDecision(.declined(head(401))) == .retryAtMaximum(reason: "http_401"))
    }
}

@Suite struct SSESourceOptionsTests {
    func problems(_ yaml: String) -> [String] {
        switch SSESource.plugin.make(yaml: yaml) {
        case .success: []
        case .failure(let errors): errors.problems.map(\.description)
        }
    }

    @Test func readsEveryOption() throws {
        let source = try #require(
            SSESource.plugin.make(yaml: "url: https://example.com/s\nheaders: { X-A: b }\nreconnect: { initial: 2s, max: 1m }\nread_timeout: 45s\n").get()
                as? SSESource)
        #expect(source.url == "https://example.com/s")
        #expect(source.headers.map(\.name) == ["X-A"])
        #expect(source.initialDelay == .seconds(2) && source.maximumDelay == .seconds(60) && source.readTimeout == .seconds(45))
    }

    @Test func aMissingURLIsReported() {
        #expect(problems("{ read_timeout: 5s }") == ["test.yaml:1:1: source needs 'url'"])
    }

    @Test func badOptionsAreReportedWithTheirPositions() {
        let found = problems(
            """
            url: ftp://example.com
            reconnect: { initial: 5s, max: 1s, jitter: 3 }
            read_timeout: soon
            headers: { "Bad Name": x }
            """)
        #expect(found.contains("test.yaml:1:6: 'url' must be an http:// or https:// URL, found 'ftp://example.com'"))
        #expect(found.contains { $0.hasPrefix("test.yaml:2:23: 'reconnect.initial' (5s) must not exceed") })
        #expect(found.contains { $0.hasPrefix("test.yaml:2:36: unknown key 'jitter'") })
        #expect(found.contains { $0.hasPrefix("test.yaml:3:15: 'read_timeout' must be a duration") })
        #expect(found.contains { $0.hasPrefix("test.yaml:4:12: 'headers': 'Bad Name' is not a valid header name") })
    }
}
