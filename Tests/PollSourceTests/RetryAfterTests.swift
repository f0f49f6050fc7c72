import Testing
import TestSupport

@testable import PollSource

@Suite struct RetryAfterTests {
    /// 1994-11-06 08:49:37 UTC, the example date of RFC 9110.
    static let example = 784_111_777.0

    @Test func secondsAreWaitedAsGiven() {
        #expect(RetryAfter.delay("2", now: 0) == .seconds(2))
        #expect(RetryAfter.delay(" 120 ", now: 0) == .seconds(120))
        #expect(RetryAfter.delay("0", now: 0) == .zero)
    }

    @Test func theThreeFormsOfAnHTTPDateAreRead() {
        #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Self.example)
        #expect(RetryAfter.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == Self.example)
        #expect(RetryAfter.httpDate("Sun Nov  6 08:49:37 1994") == Self.example)
        #expect(RetryAfter.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.httpDate("Tue, 29 Feb 2028 23:59:60 GMT") == 1_835_481_600)
    }

    @Test func aDateIsAWaitUntilThenAndAPastDateIsNone() {
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:07 GMT", now: Self.example) == .seconds(30))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:00 GMT", now: Self.example) == .zero)
    }

    @Test func aWaitIsAtMostAnHour() {
        #expect(RetryAfter.delay("86400", now: 0) == RetryAfter.longest)
        #expect(RetryAfter.delay("99999999999999999999999", now: 0) == RetryAfter.longest)
        #expect(RetryAfter.delay("Fri, 31 Dec 9999 23:59:59 GMT", now: Self.example) == RetryAfter.longest)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "Sun, 06 Nov 1994 08:49:37 CET", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT"])
    func anythingElseIsNoWait(value: String) {
        #expect(RetryAfter.delay(value, now: Self.example) == nil)
    }
}

extension PollSourceTests {
    @Test func aRetryAfterOnA429DelaysTheNextPoll() async throws {
        let throttled = try LoopbackServer { connection in
            if connection.index == 0 {
                connection.respond(status: 429, headers: [("Retry-After", "2")], body: "slow down")
            } else {
                connection.respond(status: 200, headers: [("Content-Type", "application/json")], body: "[]")
            }
        }
        defer { throttled.close() }
        let source = try makeSource("{ url: '\(throttled.url())', interval: 50ms, emit: all }")
        let recorder = RecordingOutput()
        let clock = ContinuousClock()
        let started = clock.now
        try await running(source, recorder) {
            #expect(await eventually(seconds: 10) { throttled.requests.count >= 2 })
        }
        // At a 50 ms interval the second poll would come at once; it waited the 2 s asked for.
        #expect(clock.now - started >= .milliseconds(1_900))
        #expect(recorder.reconnects.contains("retry_after"))
    }
}
