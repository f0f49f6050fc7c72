import GatewayPlugin
import Testing

@Suite struct UnitsTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("5s", .seconds(5)), ("1m", .seconds(60)), ("2h", .seconds(7200)),
        ("1m30s", .seconds(90)), ("0", .zero), ("1.5s", .milliseconds(1500)),
    ])
    func readsDurations(text: String, expected: Duration) {
        #expect(Units.duration(text) == expected)
    }

    @Test(arguments: ["", "5", "5x", "s", "1m30", "-1s", "ms"])
    func rejectsWhatIsNotADuration(_ text: String) {
        #expect(Units.duration(text) == nil)
    }

    @Test(arguments: [("512", 512), ("64KiB", 65536), ("1MiB", 1_048_576), ("2GiB", 2_147_483_648), ("10KB", 10_000), ("1 MiB", 1_048_576)])
    func readsSizes(text: String, expected: Int) {
        #expect(Units.size(text) == expected)
    }

    @Test(arguments: ["", "KiB", "1.5B", "12 parsecs", "-1"])
    func rejectsWhatIsNotASize(_ text: String) {
        #expect(Units.size(text) == nil)
    }

    @Test func describesDurationsAndSizesTheWayTheyAreWritten() {
        #expect(Units.describe(.milliseconds(250)) == "250ms")
        #expect(Units.describe(.seconds(90)) == "1m30s")
        #expect(Units.describe(.seconds(7200)) == "2h")
        #expect(Units.describe(bytes: 1_048_576) == "1MiB")
        #expect(Units.describe(bytes: 1000) == "1000B")
    }
}

@Suite struct SuggestionTests {
    @Test func suggestsTheClosestKnownWordForATypo() {
        #expect(Suggestion.closest(to: "filtr", among: ["filter", "rename", "dedupe"]) == "filter")
        #expect(Suggestion.closest(to: "hartbeat", among: ["heartbeat", "retry"]) == "heartbeat")
        #expect(Suggestion.closest(to: "retyr", among: ["heartbeat", "retry"]) == "retry")
    }

    @Test func suggestsNothingForAnUnrelatedWord() {
        #expect(Suggestion.closest(to: "foo", among: ["filter", "dedupe"]) == nil)
        #expect(Suggestion.hint(for: "zzz", among: ["filter"]) == "")
    }
}
