import GatewayPlugin
import Logging
import Synchronization
import Testing
import TestSupport

@testable import GenerateSource

@Suite struct TemplateTests {
    @Test func rendersEveryPlaceholder() throws {
        let template = try Template(parsing: #"{"n":{{seq}},"p":{{random 90 110}},"s":"{{pick A B}}","t":"{{time}}","u":{{unix_ms}}}"#)
        var generator = SystemRandomNumberGenerator()
        let text = template.render(sequence: 7, using: &generator)
        let json = try JSONValue.parse(text)
        #expect(json["n"] == .number("7"))
        let price = try #require(json["p"]?.number)
        #expect((90...110).contains(price) && price == price.rounded())
        #expect(["A", "B"].contains(json["s"]?.string))
        let time = try #require(json["t"]?.string)
        #expect(time.count == 24 && time.hasSuffix("Z") && time.dropFirst(10).hasPrefix("T"))
        #expect((json["u"]?.number ?? 0) > 1_700_000_000_000)
    }

    @Test func randomWithDecimalsKeepsThePrecisionWritten() throws {
        let template = try Template(parsing: "{{random 1.5 2.25}}")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let text = template.render(sequence: 1, using: &generator)
            #expect(text.split(separator: ".").last?.count == 2)
            #expect((1.5...2.25).contains(Double(text) ?? -1))
        }
    }

    @Test func formatsTimeAsISO8601UTC() {
        #expect(WallClock.iso8601(unixMilliseconds: 1_764_072_000_123) == "2025-11-25T12:00:00.123Z")
    }

    @Test(arguments: ["{{seq", "{{nope}}", "{{random 5}}", "{{random 9 1}}", "{{pick}}", "{{seq 1}}"])
    func rejectsABadPlaceholder(_ text: String) {
        #expect(throws: TemplateError.self) { try Template(parsing: text) }
    }

    @Test func textWithoutPlaceholdersIsConstant() throws {
        #expect(try Template(parsing: "hello").isConstant)
        #expect(try !Template(parsing: "n={{seq}}").isConstant)
    }
}

@Suite struct GenerateSourceTests {
    func options(_ pairs: [(String, String)]) -> (OptionsReader, Diagnostics) {
        let location = ConfigLocation(file: "g.yaml", line: 1, column: 1)
        let entries = pairs.enumerated().map { index, pair in
            let at = ConfigLocation(file: "g.yaml", line: index + 2, column: 5)
            return ConfigEntry(key: pair.0, keyLocation: at, value: ConfigNode(.scalar(pair.1, isPlain: true), at: at))
        }
        let diagnostics = Diagnostics()
        return (OptionsReader(node: ConfigNode(.mapping(entries), at: location), context: "source 'g'", diagnostics: diagnostics), diagnostics)
    }

    @Test func emitsCountEventsOfTheConfiguredTypeThenFinishes() async throws {
        let (reader, diagnostics) = options([("interval", "1ms"), ("event", "tick"), ("data", "n={{seq}}"), ("id", "id-{{seq}}"), ("count", "5")])
        let source = try #require(GenerateSource.plugin.make(reader))
        reader.finish()
        #expect(diagnostics.isEmpty)
        let received = Locked<[Event]>([])
        let ready = Locked(false)
        let output = SourceOutput(emit: { events in received.withLock { $0 += events } }, ready: { ready.withLock { $0 = true } })
        let context = SourceContext(name: "g", logger: Logger(label: "test"), maxEventSize: 1024, output: output)
        let completion = try await source.run(context)
        #expect(completion == .finished)
        #expect(ready.withLock { $0 })
        #expect(received.withLock { $0 } == (1...5).map { Event(id: "id-\($0)", event: "tick", data: "n=\($0)") })
    }

    @Test func anEventLargerThanTheLimitIsDroppedAndCounted() async throws {
        let (reader, _) = options([("interval", "1ms"), ("data", String(repeating: "x", count: 100)), ("count", "2")])
        let source = try #require(GenerateSource.plugin.make(reader))
        let drops = Locked(0)
        let emitted = Locked(0)
        let output = SourceOutput(emit: { events in emitted.withLock { $0 += events.count } }, dropped: { _, count in drops.withLock { $0 += count } })
        _ = try await source.run(SourceContext(name: "g", logger: Logger(label: "test"), maxEventSize: 50, output: output))
        #expect(drops.withLock { $0 } == 2)
        #expect(emitted.withLock { $0 } == 0)
    }

    @Test func badOptionsAreReportedAtTheirPositions() {
        let (reader, diagnostics) = options([("interval", "fast"), ("data", "{{nope}}"), ("count", "0")])
        #expect(GenerateSource.plugin.make(reader) == nil)
        #expect(
            diagnostics.problems.map(\.description) == [
                "g.yaml:2:5: 'interval' must be a duration like 250ms, 5s, 1m or 2h, found 'fast'",
                "g.yaml:3:5: 'data': unknown placeholder '{{nope}}'; known: {{seq}}, {{unix_ms}}, {{time}}, {{random MIN MAX}}, {{pick A B …}}",
                "g.yaml:4:5: 'count' must be between 1 and \(Int.max), found 0",
            ])
    }

    @Test func summaryDescribesTheStream() throws {
        let (reader, _) = options([("interval", "250ms"), ("event", "quote")])
        let source = try #require(GenerateSource.plugin.make(reader))
        #expect(source.summary == "'quote' every 250ms")
    }
}
