import GatewayConfig
import GatewayPlugin
import TestSupport
import Testing

@testable import StdinSource

#if canImport(Glibc)
import Glibc
#endif

/// Decodes `input` handed over in chunks of `chunkSize` bytes (0: all at once).
func decode(_ input: String, format: InputFormat, event: String? = "log", maxEventSize: Int = 1 << 20, chunkSize: Int) -> [InputDecoder.Output] {
    var decoder = InputDecoder(format: format, eventType: event, maxEventSize: maxEventSize)
    var outputs: [InputDecoder.Output] = []
    let bytes = Array(input.utf8)
    let size = chunkSize == 0 ? max(bytes.count, 1) : chunkSize
    var start = 0
    while start < bytes.count {
        let end = min(start + size, bytes.count)
        bytes[start..<end].withUnsafeBytes { decoder.decode($0) { outputs.append($0) } }
        start = end
    }
    decoder.finish { outputs.append($0) }
    return outputs
}

let chunkSizes = [1, 2, 7, 0]

@Suite struct InputDecoderTests {
    @Test(arguments: chunkSizes)
    func eachLineIsOneEventWithLFOrCRLFAndEmptyLinesCarryNothing(chunkSize: Int) {
        let outputs = decode("first\nsecond\r\n\nthird caf\u{E9}\r\n\r\nlast without newline", format: .lines, chunkSize: chunkSize)
        #expect(outputs == ["first", "second", "third caf\u{E9}", "last without newline"].map { .event(Event(event: "log", data: $0)) })
    }

    @Test(arguments: chunkSizes)
    func aLineOverTheLimitIsDroppedAndReportedAndTheNextLineIsKept(chunkSize: Int) {
        let long = String(repeating: "x", count: 40)
        let outputs = decode("ok\n\(long)\nfine\n", format: .lines, maxEventSize: 16, chunkSize: chunkSize)
        #expect(outputs.count == 3)
        #expect(outputs.first == .event(Event(event: "log", data: "ok")))
        #expect(outputs.last == .event(Event(event: "log", data: "fine")))
        // Reported once, as soon as it is known to be too long: its size is what was read by then.
        guard case .dropped("too_large", let bytes) = outputs[1] else {
            Issue.record("expected a drop, found \(outputs[1])")
            return
        }
        #expect((17...40).contains(bytes))
    }

    @Test(arguments: [InputFormat.lines, .sse])
    func aLineThatNeverEndsIsReportedWhileItIsStillArriving(format: InputFormat) {
        var decoder = InputDecoder(format: format, eventType: nil, maxEventSize: 1024)
        var outputs: [InputDecoder.Output] = []
        let chunk = Array((format == .sse ? "data: " : "").utf8) + Array(repeating: UInt8(ascii: "z"), count: 4096)
        for _ in 0..<100 {
            chunk.withUnsafeBytes { decoder.decode($0) { outputs.append($0) } }
        }
        #expect(outputs.count == 1, "one report for one endless line: \(outputs.count)")
        if case .dropped(let reason, _) = outputs.first { #expect(reason == "too_large") } else { Issue.record("expected a drop") }
    }

    @Test(arguments: chunkSizes)
    func ndjsonObjectsNameTheirEventIdAndData(chunkSize: Int) {
        let input = """
            {"event":"deploy","id":"7","data":"v1.2 is live"}
            {"id":8,"data":{"user":"ann","n":[1,2]}}
            [1,2,3]
            "just a string"
            {"level":"warn","msg":"no data member"}
            {not json
            """
        let outputs = decode(input, format: .ndjson, chunkSize: chunkSize)
        #expect(
            outputs == [
                .event(Event(id: "7", event: "deploy", data: "v1.2 is live")),
                .event(Event(id: "8", event: "log", data: #"{"user":"ann","n":[1,2]}"#)),
                .event(Event(event: "log", data: "[1,2,3]")),
                .event(Event(event: "log", data: #""just a string""#)),
                .event(Event(event: "log", data: #"{"level":"warn","msg":"no data member"}"#)),
                .dropped(reason: "invalid_json", bytes: 9),
            ])
    }

    @Test(arguments: chunkSizes)
    func sseInputIsParsedAsAStreamAndAnUnfinishedEventIsDropped(chunkSize: Int) {
        let input = "id: 1\nevent: a\ndata: one\n\n: comment\ndata: two\ndata: lines\n\ndata: never finished"
        let outputs = decode(input, format: .sse, chunkSize: chunkSize)
        #expect(outputs == [.event(Event(id: "1", event: "a", data: "one")), .event(Event(id: "1", data: "two\nlines"))])
    }

    @Test func anSSEEventOverTheLimitIsDropped() {
        let outputs = decode("data: \(String(repeating: "y", count: 64))\n\ndata: ok\n\n", format: .sse, maxEventSize: 16, chunkSize: 0)
        #expect(outputs.count == 2)
        #expect(outputs.last == .event(Event(data: "ok")))
        if case .dropped(let reason, _) = outputs.first { #expect(reason == "too_large") } else { Issue.record("expected a drop") }
    }
}

@Suite struct StdinSourceTests {
    /// Runs `source` reading a pipe into which `input` is written and then closed.
    func run(_ source: StdinSource, input: String, maxEventSize: Int = 1 << 20) async throws -> (SourceCompletion, RecordingOutput) {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        var source = source
        source.fileDescriptor = fds[0]
        defer { close(fds[0]) }
        let recorder = RecordingOutput()
        let task = Task { try await source.run(recorder.context(maxEventSize: maxEventSize)) }
        let bytes = Array(input.utf8)
        // Two writes with a pause: events must flow before the input ends.
        let half = bytes.count / 2
        _ = bytes[..<half].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        try await Task.sleep(for: .milliseconds(20))
        _ = bytes[half...].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let completion = try await task.value
        return (completion, recorder)
    }

    @Test func linesBecomeEventsAndKeepFinishesAtTheEnd() async throws {
        let (completion, recorder) = try await run(StdinSource(format: .lines, event: "log", onEOF: .keep), input: "GET /a 200\nGET /b 404\n")
        #expect(completion == .finished)
        #expect(recorder.events == [Event(event: "log", data: "GET /a 200"), Event(event: "log", data: "GET /b 404")])
        #expect(recorder.readyCount == 1)
    }

    @Test func ndjsonWithExitAsksTheGatewayToStop() async throws {
        let (completion, recorder) = try await run(
            StdinSource(format: .ndjson, onEOF: .exit), input: "{\"event\":\"job\",\"id\":\"1\",\"data\":\"done\"}\nnot json\n")
        #expect(completion == .stopGateway)
        #expect(recorder.events == [Event(id: "1", event: "job", data: "done")])
        #expect(recorder.drops == ["invalid_json"])
    }

    @Test func sseInputIsRelayed() async throws {
        let (completion, recorder) = try await run(StdinSource(format: .sse), input: "id: 9\nevent: e\ndata: x\n\n")
        #expect(completion == .finished)
        #expect(recorder.events == [Event(id: "9", event: "e", data: "x")])
    }

    @Test func anOversizedLineIsDroppedAndCounted() async throws {
        let (_, recorder) = try await run(StdinSource(), input: "short\n\(String(repeating: "z", count: 100))\nafter\n", maxEventSize: 32)
        #expect(recorder.events.map(\.data) == ["short", "after"])
        #expect(recorder.drops == ["too_large"])
    }

    @Test func cancellingTheTaskStopsReadingAnOpenInput() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var source = StdinSource()
        source.fileDescriptor = fds[0]
        let recorder = RecordingOutput()
        let task = Task { try await source.run(recorder.context()) }
        _ = "one\n".withCString { write(fds[1], $0, 4) }
        #expect(await eventually { recorder.events.count == 1 })
        task.cancel()
        #expect(try await task.value == .finished)
    }
}

@Suite struct StdinSourceOptionsTests {
    @Test func readsEveryOption() throws {
        let source = try #require(StdinSource.plugin.make(yaml: "{ format: ndjson, event: log, on_eof: exit }").get() as? StdinSource)
        #expect(source.format == .ndjson && source.event == "log" && source.onEOF == .exit)
    }

    @Test func badOptionsAreReportedWithTheirPositions() {
        guard case .failure(let errors) = StdinSource.plugin.make(yaml: "format: line\non_eof: quit\nevnt: x\n") else {
            Issue.record("expected problems")
            return
        }
        let found = errors.problems.map(\.description)
        #expect(found.contains("test.yaml:1:9: 'format' must be one of lines, ndjson, sse, found 'line'. Did you mean 'lines'?"))
        #expect(found.contains { $0.hasPrefix("test.yaml:2:9: 'on_eof' must be one of keep, exit, found 'quit'") })
        #expect(found.contains { $0.hasPrefix("test.yaml:3:1: unknown key 'evnt'") && $0.contains("Did you mean 'event'?") })
    }
}
