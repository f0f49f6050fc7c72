import GatewayConfig
import GatewayPlugin
import GatewayServer

/// How one endpoint's published events differ from a case's expectation, event by event, as
/// `gateway test` prints it.
///
/// The type and data are always compared; the id and channel where the expected event gives
/// them. The two lists are aligned on their longest common run of matching events, so one
/// missing or extra event is reported as that, not as a shift of every event after it; between
/// two matches, unmatched expected and published events are paired in order. Lines, in order:
///
/// ```text
///   /alerts: expected 3 events, got 4
///   /alerts event 1: missing event=alert data={"price":108}
///   /alerts event 3: expected event=alert data={"price":111}; got event=quote data={"price":111}
///   /alerts event 3: unexpected event=alert data={"price":112}
///   /alerts event 4: unexpected event=alert data={"price":113}
/// ```
///
/// (expected 108, 110, 111; published 110, then quote 111, 112 and 113.)
///
/// `event N` counts the expected events, except on an `unexpected` line, where it counts the
/// published ones. The count line comes only when the counts differ. A published event shows
/// the fields the expectation checks anywhere on the endpoint (`id=` only when some expected
/// event gives an id), so the two sides read alike.
struct EventDiff {
    let path: String
    let expected: [TestCase.ExpectedEvent]
    let got: [EmittedEvent]

    /// The differences, one line each (indented two spaces); none when the endpoint published
    /// exactly what was expected.
    var lines: [String] {
        var lines: [String] = []
        if expected.count != got.count {
            lines.append("  \(path): expected \(Self.count(expected.count)), got \(got.count)")
        }
        let showsID = expected.contains { $0.id != nil }
        // Unmatched events since the last match: indexes into `expected` and `got`.
        var missing: [Int] = []
        var extra: [Int] = []
        func reportGap() {
            let paired = min(missing.count, extra.count)
            for (wanted, published) in zip(missing, extra) {
                let got = Self.describe(got[published], showingID: showsID)
                lines.append("  \(path) event \(wanted + 1): expected \(Self.describe(expected[wanted])); got \(got)")
            }
            for wanted in missing.dropFirst(paired) {
                lines.append("  \(path) event \(wanted + 1): missing \(Self.describe(expected[wanted]))")
            }
            for published in extra.dropFirst(paired) {
                lines.append("  \(path) event \(published + 1): unexpected \(Self.describe(got[published], showingID: showsID))")
            }
            missing.removeAll()
            extra.removeAll()
        }
        let common = commonRun()
        var i = 0
        var j = 0
        while i < expected.count || j < got.count {
            if i < expected.count, j < got.count, Self.matches(got[j], expected[i]), common[i][j] == common[i + 1][j + 1] + 1 {
                reportGap()
                i += 1
                j += 1
            } else if j < got.count && (i == expected.count || common[i][j + 1] >= common[i + 1][j]) {
                extra.append(j)
                j += 1
            } else {
                missing.append(i)
                i += 1
            }
        }
        reportGap()
        return lines
    }

    /// `[i][j]`: how many events `expected[i...]` and `got[j...]` have in common, in order (the
    /// longest common subsequence's length).
    private func commonRun() -> [[Int]] {
        var table = Array(repeating: Array(repeating: 0, count: got.count + 1), count: expected.count + 1)
        for i in expected.indices.reversed() {
            for j in got.indices.reversed() {
                table[i][j] = Self.matches(got[j], expected[i]) ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table
    }

    /// Whether `published` is what `wanted` describes.
    static func matches(_ published: EmittedEvent, _ wanted: TestCase.ExpectedEvent) -> Bool {
        published.type == wanted.type && published.data == wanted.data
            && (wanted.id == nil || published.id == wanted.id)
            && (wanted.channel == nil || published.channel == wanted.channel)
    }

    static func describe(_ event: TestCase.ExpectedEvent) -> String {
        var parts = ["event=\(value(event.type))"]
        if let id = event.id { parts.append("id=\(value(id))") }
        if let channel = event.channel { parts.append("channel=\(value(channel))") }
        parts.append("data=\(value(event.data))")
        return parts.joined(separator: " ")
    }

    static func describe(_ event: EmittedEvent, showingID: Bool) -> String {
        var parts = ["event=\(value(event.type))"]
        if showingID { parts.append("id=\(event.id.map(value) ?? "(none)")") }
        if let channel = event.channel { parts.append("channel=\(value(channel))") }
        parts.append("data=\(value(event.data))")
        return parts.joined(separator: " ")
    }

    /// A value as written in a diff: as it is, unless that would hide something — empty, with
    /// a control character (a newline in multi-line data), spaces at either end, or a leading
    /// quote — then as a JSON string, so `data=""` and `data="a\nb"` cannot be misread.
    static func value(_ text: String) -> String {
        let plain =
            !text.isEmpty && !text.hasPrefix("\"") && !text.hasPrefix(" ") && !text.hasSuffix(" ")
            && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        return plain ? text : JSONValue.quoted(text)
    }

    private static func count(_ events: Int) -> String {
        events == 1 ? "1 event" : "\(events) events"
    }
}
