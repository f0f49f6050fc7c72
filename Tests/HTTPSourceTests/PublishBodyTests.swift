import GatewayPlugin
import Testing

@testable import HTTPSource

@Suite struct PublishBodyTests {
    func decode(_ type: String?, _ body: String, maxEventSize: Int = 1 << 20) -> Result<[Event], PublishBody.Problem> {
        PublishBody.events(contentType: type, body: Array(body.utf8), maxEventSize: maxEventSize)
    }

    @Test func aJSONObjectIsOneEventAndNonStringDataIsSentAsCompactJSON() throws {
        let events = try decode("application/json", #"{"event":"created","id":"7","data":{"n": [1, 2]}}"#).get()
        #expect(events == [Event(id: "7", event: "created", data: #"{"n":[1,2]}"#)])
        let text = try decode("Application/JSON; charset=utf-8", #"{"data":"line 1\nline 2"}"#).get()
        #expect(text == [Event(data: "line 1\nline 2")])
    }

    @Test func aJSONArrayIsItsEventsInOrderAndANumberIDIsTakenAsWritten() throws {
        let events = try decode("application/json", #"[{"data":"a","id":1},{"type":"t","data":"b"},{"data":null}]"#).get()
        #expect(events == [Event(id: "1", data: "a"), Event(event: "t", data: "b"), Event(data: "null")])
        #expect(try decode("application/json", "[]").get().isEmpty)
    }

    @Test func theFirstMalformedItemOfAnArrayRejectsTheWholeBodyWithItsIndex() {
        let result = decode("application/json", #"[{"data":"a"},{"data":"b"},{"evnt":"x","data":"c"},{"id":"no data"}]"#)
        guard case .failure(let problem) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(problem.status == 400)
        #expect(problem.position?.key == "index")
        #expect(problem.position?.value == 2)
        #expect(problem.message.contains("unknown key 'evnt'"))
        #expect(problem.message.contains("Did you mean 'event'?"))
    }

    @Test func malformedJSONSaysWhereAndWhat() {
        guard case .failure(let problem) = decode("application/json", #"{"data": "a",}"#) else {
            Issue.record("expected a failure")
            return
        }
        #expect(problem.status == 400)
        #expect(problem.message.contains("byte"))
        guard case .failure(let missing) = decode("application/json", #"{"event":"x"}"#) else {
            Issue.record("expected a failure")
            return
        }
        #expect(missing.message == "an event needs 'data'")
        guard case .failure(let scalar) = decode("application/json", "42") else {
            Issue.record("expected a failure")
            return
        }
        #expect(scalar.message.contains("found a number"))
    }

    @Test func ndjsonIsOneEventPerLineSkippingBlankLinesAndNamesTheBadLine() throws {
        let events = try decode("application/x-ndjson", "{\"data\":\"a\"}\r\n\n{\"event\":\"e\",\"data\":2}\n").get()
        #expect(events == [Event(data: "a"), Event(event: "e", data: "2")])
        guard case .failure(let problem) = decode("application/x-ndjson", "{\"data\":\"a\"}\n\n{oops}\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(problem.position?.key == "line")
        #expect(problem.position?.value == 3)
        #expect(problem.message.hasPrefix("line 3: "))
    }

    @Test func sseTextIsParsedAsAStreamAndItsEndEndsTheLastEvent() throws {
        let events = try decode("text/event-stream", "id: 1\nevent: a\ndata: x\ndata: y\n\ndata: no id of its own\n\n: comment\nid: 3\ndata: last").get()
        #expect(events == [Event(id: "1", event: "a", data: "x\ny"), Event(data: "no id of its own"), Event(id: "3", data: "last")])
    }

    @Test func aFormPostIsOneEventTheWayMercurePublishersSendIt() throws {
        let events = try decode(
            "application/x-www-form-urlencoded", "topic=https%3A%2F%2Fexample.com%2Fbooks%2F1&data=%7B%22a%22%3A1%7D&type=update&id=9&private=on").get()
        #expect(events == [Event(id: "9", event: "update", data: #"{"a":1}"#)])
        #expect(try decode("application/x-www-form-urlencoded", "data=one+line&data=two").get() == [Event(data: "one line\ntwo")])
        guard case .failure(let problem) = decode("application/x-www-form-urlencoded", "event=x") else {
            Issue.record("expected a failure")
            return
        }
        #expect(problem.message == "a form post needs a 'data' field")
        guard case .failure(let bad) = decode("application/x-www-form-urlencoded", "data=%zz") else {
            Issue.record("expected a failure")
            return
        }
        #expect(bad.status == 400)
    }

    @Test func anotherOrAMissingContentTypeIs415() {
        for type in ["text/plain", nil] as [String?] {
            guard case .failure(let problem) = decode(type, "{}") else {
                Issue.record("expected a failure for \(type ?? "none")")
                continue
            }
            #expect(problem.status == 415)
            #expect(problem.message.contains("application/json"))
        }
    }

    @Test func anEventOverMaxEventSizeRejectsTheBodyWithItsPlace() {
        guard case .failure(let problem) = decode("application/json", #"[{"data":"ok"},{"data":"0123456789abcdef"}]"#, maxEventSize: 10) else {
            Issue.record("expected a failure")
            return
        }
        #expect(problem.position?.value == 1)
        #expect(problem.message.contains("max_event_size (10)"))
        guard case .failure(let sse) = decode("text/event-stream", "data: ok\n\ndata: 0123456789abcdef\n\n", maxEventSize: 10) else {
            Issue.record("expected a failure")
            return
        }
        #expect(sse.position?.value == 1)
    }

    @Test func onlyCRAndLFEndAFieldSoOnlyTheyAreRefusedInIDsAndTypes() throws {
        // A form feed is no line end in SSE: kept, as the SSE parser keeps it.
        let sse = try decode("text/event-stream", "id: 6\u{0C}x\nevent: a\u{0C}b\ndata: d\n\n").get()
        #expect(sse == [Event(id: "6\u{0C}x", event: "a\u{0C}b", data: "d")])
        #expect(try decode("application/json", #"{"id":"6\fx","data":"d"}"#).get() == [Event(id: "6\u{0C}x", data: "d")])
        for body in [#"{"id":"a\rb","data":"d"}"#, #"{"event":"a\nb","data":"d"}"#, #"{"id":"a\u0000b","data":"d"}"#] {
            guard case .failure(let problem) = decode("application/json", body) else {
                Issue.record("accepted \(body)")
                continue
            }
            #expect(problem.status == 400)
        }
    }

    @Test func invalidUTF8IsRefused() {
        let result = PublishBody.events(contentType: "application/json", body: [0x7B, 0xFF, 0x7D], maxEventSize: 100)
        guard case .failure(let problem) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(problem.message == "the body is not valid UTF-8")
    }
}
