import Foundation
import Logging
import Testing

@testable import GatewayCLI

@Suite struct JSONLogFormatterTests {
    /// Parses `line` as one JSON object.
    func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aLineHasTheFourFixedKeysFirstThenEveryMetadataKeySorted() throws {
        let line = JSONLogFormatter.line(
            timestamp: "2025-05-01T12:00:00.123Z", level: .info, label: "gateway", message: "listening",
            metadata: ["scheme": "http", "address": "127.0.0.1:8080"])
        #expect(
            line
                == #"{"timestamp":"2025-05-01T12:00:00.123Z","level":"info","label":"gateway","message":"listening","address":"127.0.0.1:8080","scheme":"http"}"#
        )
    }

    @Test(arguments: [
        ("say \"hi\"", #""say \"hi\"""#),
        ("back\\slash", #""back\\slash""#),
        ("two\nlines", #""two\nlines""#),
        ("cr\rlf", #""cr\rlf""#),
        ("tab\there", #""tab\there""#),
        ("bell\u{7}nul\u{0}esc\u{1B}del\u{7F}", #""bell\u0007nul\u0000esc\u001bdel\u007f""#),
        ("\u{8}\u{C}", #""\b\f""#),
        ("héllo ✓ 😀", "\"héllo ✓ 😀\""),
    ])
    func stringsAreEscapedSoALineNeverBreaks(input: String, expected: String) throws {
        var out = ""
        JSONLogFormatter.appendString(input, to: &out)
        #expect(out == expected)
        let line = JSONLogFormatter.line(timestamp: "t", level: .warning, label: "l", message: input, metadata: ["k": "\(input)"])
        #expect(!line.contains("\n") && !line.contains("\r"))
        let parsed = try object(line)
        #expect(parsed["message"] as? String == input)
        #expect(parsed["k"] as? String == input)
    }

    @Test func metadataKeepsArraysAndDictionariesAndRenamesKeysThatClashWithTheFixedOnes() throws {
        let line = JSONLogFormatter.line(
            timestamp: "t", level: .error, label: "gateway", message: "m",
            metadata: [
                "list": ["a", "b\"c"], "nested": ["x": "1", "y": ["z"]], "count": .stringConvertible(42),
                "message": "not the message", "client.address": "127.0.0.1:5000",
            ])
        let parsed = try object(line)
        #expect(parsed["message"] as? String == "m")
        #expect(parsed["metadata.message"] as? String == "not the message")
        #expect(parsed["list"] as? [String] == ["a", "b\"c"])
        let nested = try #require(parsed["nested"] as? [String: Any])
        #expect(nested["x"] as? String == "1")
        #expect(nested["y"] as? [String] == ["z"])
        #expect(parsed["count"] as? String == "42")
        #expect(parsed["client.address"] as? String == "127.0.0.1:5000")
        #expect(parsed["level"] as? String == "error")
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(JSONLogFormatter.timestamp(seconds: 0, milliseconds: 5) == "1970-01-01T00:00:00.005Z")
        #expect(JSONLogFormatter.timestamp(seconds: 1_746_100_800, milliseconds: 123) == "2025-05-01T12:00:00.123Z")
        #expect(JSONLogFormatter.timestampNow().wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
    }
}
