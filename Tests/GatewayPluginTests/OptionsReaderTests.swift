import GatewayPlugin
import Testing

@Suite struct OptionsReaderTests {
    func at(_ line: Int, _ column: Int) -> ConfigLocation { ConfigLocation(file: "t.yaml", line: line, column: column) }

    func scalar(_ text: String, _ line: Int, _ column: Int = 10) -> ConfigNode {
        ConfigNode(.scalar(text, isPlain: true), at: at(line, column))
    }

    func map(_ pairs: [(String, ConfigNode)]) -> ConfigNode {
        ConfigNode(
            .mapping(pairs.map { ConfigEntry(key: $0.0, keyLocation: at($0.1.location.line, 3), value: $0.1) }), at: at(1, 1))
    }

    @Test func readsTypedOptionsAndReportsEveryBadOneAtItsPosition() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(
            node: map([("interval", scalar("5x", 2)), ("count", scalar("ten", 3)), ("size", scalar("64KiB", 4))]),
            context: "source 'a'", diagnostics: diagnostics)
        #expect(options.duration("interval") == nil)
        #expect(options.int("count") == nil)
        #expect(options.size("size") == 65536)
        #expect(options.bool("flag", default: true) == true)
        options.finish()
        #expect(diagnostics.problems.map(\.location.line) == [2, 3])
        #expect(diagnostics.problems[0].description.hasPrefix("t.yaml:2:10: 'interval' must be a duration"))
        #expect(!options.isValid)
    }

    @Test(arguments: ["9999999999999999s", "100000000000s", "366d", "99999999999999999999999h"])
    func aDurationTooLongForAnyTimerIsAPositionedErrorNotATrap(_ text: String) {
        let diagnostics = Diagnostics()
        let options = OptionsReader(node: map([("heartbeat", scalar(text, 4))]), context: "'server'", diagnostics: diagnostics)
        #expect(options.duration("heartbeat") == nil)
        #expect(diagnostics.problems.map(\.description) == ["t.yaml:4:10: 'heartbeat' must be at most 365 days, found '\(text)'"])
    }

    @Test func reportsUnknownKeysWithTheClosestKnownKey() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(
            node: map([("intervall", scalar("1s", 2)), ("type", scalar("x", 3))]), context: "source 'a'",
            diagnostics: diagnostics, handledKeys: ["type"])
        _ = options.duration("interval", default: .seconds(1))
        options.finish()
        #expect(diagnostics.problems.map(\.description) == ["t.yaml:2:3: unknown key 'intervall' in source 'a'. Did you mean 'interval'?"])
    }

    @Test func requiredOptionsThatAreMissingAreReported() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(node: map([]), context: "source 'a'", diagnostics: diagnostics)
        #expect(options.string("url", required: true) == nil)
        #expect(diagnostics.problems.first?.message == "source 'a' needs 'url'")
    }

    @Test func choicesSuggestTheClosestAllowedWord() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(node: map([("emit", scalar("chnages", 2))]), context: "x", diagnostics: diagnostics)
        #expect(options.choice("emit", of: ["changes", "all", "body"], default: "changes") == nil)
        #expect(diagnostics.problems.first?.message.hasSuffix("Did you mean 'changes'?") == true)
    }

    @Test func aScalarWhereAMapBelongsIsReportedOnce() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(node: scalar("oops", 5), context: "source 'a'", diagnostics: diagnostics)
        _ = options.string("url")
        options.finish()
        #expect(diagnostics.problems.count == 1)
        #expect(diagnostics.problems[0].message == "source 'a' expects a map of options, found a scalar")
    }
}
