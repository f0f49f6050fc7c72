import GatewayConfig
import GatewayPlugin
import Synchronization
import TestSupport
import Testing

@testable import PollSource

#if canImport(Glibc)
import Glibc
#endif

/// A JSON API whose answer a test changes between polls.
final class MockAPI: Sendable {
    enum Answer: Sendable {
        case json(String, etag: String? = nil)
        case status(Int)
        case raw(String)
        case stall
    }

    private final class Box: Sendable {
        let answer: Locked<Answer>
        init(_ answer: Answer) { self.answer = Locked(answer) }
    }

    private let box: Box
    let server: LoopbackServer

    init(_ first: Answer) throws {
        let box = Box(first)
        self.box = box
        self.server = try LoopbackServer { connection in
            switch box.answer.withLock({ $0 }) {
            case .json(let body, let etag):
                if let etag, connection.request.header("If-None-Match") == etag {
                    connection.respond(status: 304, headers: [("ETag", etag)])
                } else {
                    connection.respond(status: 200, headers: [("Content-Type", "application/json")] + (etag.map { [("ETag", $0)] } ?? []), body: body)
                }
            case .status(let status):
                connection.respond(status: status, body: "error")
            case .raw(let body):
                connection.respond(status: 200, headers: [("Content-Type", "application/json")], body: body)
            case .stall:
                connection.waitForPeerClose(seconds: 10)
            }
        }
    }

    func set(_ next: Answer) { box.answer.withLock { $0 = next } }
    var polls: Int { server.requests.count }
    func close() { server.close() }
}

/// Runs `source` until `body` returns.
func running<T>(_ source: PollSource, _ recorder: RecordingOutput, _ body: () async throws -> T) async throws -> T {
    let task = Task { try await source.run(recorder.context()) }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    _ = try await task.value
    return result
}

func makeSource(_ yaml: String) throws -> PollSource {
    try #require(try PollSource.plugin.make(yaml: yaml).get() as? PollSource)
}

@Suite struct PollSourceTests {
    @Test func reportsCreatedThenUpdatedAndDeletedItems() async throws {
        let api = try MockAPI(.json(#"{"data":{"tickets":[{"id":1,"title":"a"},{"id":2,"title":"b"}]}}"#))
        defer { api.close() }
        let source = try makeSource("{ url: '\(api.server.url("/api/tickets"))', interval: 30ms, items: data.tickets, id: id }")
        let recorder = RecordingOutput()
        try await running(source, recorder) {
            #expect(await eventually { recorder.events.count == 2 })
            api.set(.json(#"{"data":{"tickets":[{"id":1,"title":"a, edited"},{"id":3,"title":"c"}]}}"#))
            #expect(await eventually { recorder.events.count >= 5 })
            // A few more polls of the same answer must add nothing.
            let seen = api.polls
            #expect(await eventually { api.polls >= seen + 3 })
        }
        #expect(
            recorder.events == [
                Event(event: "created", data: #"{"id":1,"title":"a"}"#),
                Event(event: "created", data: #"{"id":2,"title":"b"}"#),
                Event(event: "updated", data: #"{"id":1,"title":"a, edited"}"#),
                Event(event: "created", data: #"{"id":3,"title":"c"}"#),
                Event(event: "deleted", data: #"{"id":2,"title":"b"}"#),
            ])
        #expect(recorder.readyCount >= 1)
        #expect(api.server.requests.first?.header("Accept") == "application/json")
    }

    @Test func notModifiedEmitsNothingAndConditionalRequestsAreSent() async throws {
        let api = try MockAPI(.json(#"{"id":"x","v":1}"#, etag: "\"v1\""))
        defer { api.close() }
        let source = try makeSource("{ url: '\(api.server.url())', interval: 20ms, id: id, types: { created: ticket.new } }")
        let recorder = RecordingOutput()
        // The body is one item (no `items`).
        try await running(source, recorder) {
            #expect(await eventually { api.polls >= 4 })
        }
        #expect(recorder.events.count == 1)
        #expect(recorder.events.first?.event == "ticket.new")
        #expect(api.server.requests.first?.header("If-None-Match") == nil)
        #expect(api.server.requests.dropFirst().allSatisfy { $0.header("If-None-Match") == "\"v1\"" })
    }

    @Test func failedPollsEmitNothingAndNeverReportDeletions() async throws {
        let api = try MockAPI(.json(#"{"items":[{"id":1},{"id":2}]}"#))
        defer { api.close() }
        let source = try makeSource("{ url: '\(api.server.url())', interval: 20ms, timeout: 150ms, items: items, id: id }")
        let recorder = RecordingOutput()
        try await running(source, recorder) {
            #expect(await eventually { recorder.events.count == 2 })
            for answer: MockAPI.Answer in [.raw("{\"items\": [ oops"), .raw(#"{"elsewhere":[]}"#), .stall, .status(500), .status(404)] {
                let before = api.polls
                api.set(answer)
                #expect(await eventually { api.polls >= before + 2 })
            }
            api.set(.json(#"{"items":[{"id":1},{"id":2}]}"#))
            let before = api.polls
            #expect(await eventually { api.polls >= before + 2 })
        }
        #expect(recorder.events.map(\.event) == ["created", "created"])
        #expect(recorder.drops.contains("invalid_json"))
        #expect(recorder.reconnects.contains("timeout"))
        #expect(recorder.reconnects.contains("http_500"))
        #expect(recorder.reconnects.contains("http_404"))
    }

    @Test func pollsNeverOverlapWhenTheAPIIsSlowerThanTheInterval() async throws {
        let inFlight = Locked((now: 0, most: 0))
        let counting = try LoopbackServer { connection in
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            usleep(120_000)
            // Out of flight before answering: once the answer is sent the source may poll again at
            // once, and its next request could be counted before this handler got here.
            inFlight.withLock { $0.now -= 1 }
            connection.respond(status: 200, headers: [("Content-Type", "application/json")], body: "[]")
        }
        defer { counting.close() }
        let source = try makeSource("{ url: '\(counting.url())', interval: 10ms, emit: all }")
        let recorder = RecordingOutput()
        try await running(source, recorder) {
            #expect(await eventually { counting.requests.count >= 4 })
        }
        #expect(inFlight.withLock { $0.most } == 1)
    }

    @Test func emitAllSendsEveryItemOnEveryPoll() async throws {
        let api = try MockAPI(.json(#"[{"n":1},{"n":2}]"#))
        defer { api.close() }
        let source = try makeSource("{ url: '\(api.server.url())', interval: 20ms, emit: all, items: '[0]', event: row }")
        // `items` may point anywhere; here the body is a list of lists.
        api.set(.json(#"[[{"n":1},{"n":2}]]"#))
        let recorder = RecordingOutput()
        try await running(source, recorder) {
            #expect(await eventually { recorder.events.count >= 6 })
        }
        #expect(recorder.events.prefix(6).map(\.data) == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":1}"#, #"{"n":2}"#, #"{"n":1}"#, #"{"n":2}"#])
        #expect(recorder.events.allSatisfy { $0.event == "row" })
    }

    @Test func emitBodySendsTheWholeBodyWhenItChanges() async throws {
        let api = try MockAPI(.json("{ \"status\": \"green\" }"))
        defer { api.close() }
        let source = try makeSource("{ url: '\(api.server.url())', interval: 20ms, emit: body }")
        let recorder = RecordingOutput()
        try await running(source, recorder) {
            #expect(await eventually { api.polls >= 3 })
            api.set(.json("{\"status\":\"red\"}"))
            #expect(await eventually { recorder.events.count == 2 })
            let before = api.polls
            #expect(await eventually { api.polls >= before + 2 })
        }
        #expect(recorder.events.map(\.data) == [#"{"status":"green"}"#, #"{"status":"red"}"#])
    }

    @Test func postSendsTheBodyAndHeaders() async throws {
        let api = try MockAPI(.json("[]"))
        defer { api.close() }
        let source = try makeSource(
            "{ url: '\(api.server.url("/search"))', interval: 1s, method: POST, body: '{\"q\":\"open\"}', headers: { X-Key: k1 } }")
        let recorder = RecordingOutput()
        try await running(source, recorder) {
            #expect(await eventually { api.polls >= 1 })
        }
        let request = try #require(api.server.requests.first)
        #expect(request.method == "POST")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"q":"open"}"#)
        #expect(request.header("X-Key") == "k1")
        #expect(request.header("Content-Type") == "application/json")
    }
}

@Suite struct ChangeTrackerTests {
    func update(_ tracker: inout ChangeTracker, _ json: String) throws -> [String] {
        let result = try tracker.update(with: JSONValue.parse(json)).get()
        return result.events.map { "\($0.type) \($0.data)" }
    }

    @Test func itemsWithoutAnIdPathAreIdentifiedByTheirContent() throws {
        var tracker = ChangeTracker(mode: .changes, items: JSONPath("list"), id: nil)
        #expect(try update(&tracker, #"{"list":["a","b"]}"#) == [#"created "a""#, #"created "b""#])
        #expect(try update(&tracker, #"{"list":["b","c"]}"#) == [#"created "c""#, #"deleted "a""#])
    }

    @Test func itemsMissingTheirIdAreSkippedAndCounted() throws {
        var tracker = ChangeTracker(mode: .changes, items: nil, id: JSONPath("meta.id"))
        let result = try tracker.update(with: JSONValue.parse(#"{"other":1}"#)).get()
        #expect(result.events.isEmpty && result.itemsWithoutID == 1)
    }

    @Test func aResponseWithoutTheItemsListFailsAndForgetsNothing() throws {
        var tracker = ChangeTracker(mode: .changes, items: JSONPath("items"), id: JSONPath("id"))
        #expect(try update(&tracker, #"{"items":[{"id":1}]}"#) == [#"created {"id":1}"#])
        #expect(throws: ChangeTracker.Failure.self) { try tracker.update(with: JSONValue.parse(#"{"items":{"id":1}}"#)).get() }
        #expect(try update(&tracker, #"{"items":[{"id":1}]}"#).isEmpty)
    }

    @Test func numericAndStringIdsAndReformattedItemsAreNotChanges() throws {
        var tracker = ChangeTracker(mode: .changes, items: nil, id: JSONPath("id"))
        #expect(try update(&tracker, #"{"id": 7, "a": [1, 2]}"#) == [#"created {"id":7,"a":[1,2]}"#])
        #expect(try update(&tracker, #"{ "id":7,"a":[1,2] }"#).isEmpty)
    }
}

@Suite struct PollSourceOptionsTests {
    @Test func badOptionsAreReportedWithTheirPositions() {
        guard
            case .failure(let errors) = PollSource.plugin.make(
                yaml: """
                    url: localhost:9000
                    interval: often
                    emit: diff
                    items: 'data..x'
                    body: '{}'
                    types: { created: new, moved: m }
                    """)
        else {
            Issue.record("expected problems")
            return
        }
        let found = errors.problems.map(\.description)
        #expect(found.contains("test.yaml:1:6: 'url' must be an http:// or https:// URL, found 'localhost:9000'"))
        #expect(found.contains { $0.hasPrefix("test.yaml:2:11: 'interval' must be a duration") })
        #expect(found.contains { $0.hasPrefix("test.yaml:3:7: 'emit' must be one of changes, all, body, found 'diff'") })
        #expect(found.contains { $0.hasPrefix("test.yaml:4:8: 'items' must be a path") })
        #expect(found.contains { $0.hasPrefix("test.yaml:5:7: 'body' needs a method that sends one") })
        #expect(found.contains { $0.hasPrefix("test.yaml:6:24: unknown key 'moved'") }, "\(found)")
    }

    @Test func theSummaryNamesMethodURLIntervalAndWhatIsEmitted() throws {
        let source = try makeSource("{ url: 'http://127.0.0.1:9000/api', interval: 5s, items: data.tickets, id: id }")
        #expect(source.summary == "GET http://127.0.0.1:9000/api every 5s, changes by 'id' of 'data.tickets'")
    }
}
