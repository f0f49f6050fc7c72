import GatewayPlugin
import Testing

@Suite struct JSONValueTests {
    @Test func parsesEveryKindOfValueAndKeepsMemberOrder() throws {
        let value = try JSONValue.parse(#" {"b": [1, -2.5e3, true, false, null], "a": "x\ny", "c": {}} "#)
        guard case .object(let members) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "c"])
        #expect(value["b"]?[1] == .number("-2.5e3"))
        #expect(value["b"]?[1]?.number == -2500)
        #expect(value["a"]?.string == "x\ny")
        #expect(value["b"]?[2] == .bool(true))
        #expect(value["b"]?[4] == .null)
        #expect(value["c"] == .object([]))
    }

    @Test func numbersKeepTheirSourceTextThroughARoundTrip() throws {
        let text = #"{"id":12345678901234567890,"price":1.10,"neg":-0}"#
        #expect(try JSONValue.parse(text).serialized == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#""q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00 lone\ud800""#)
        #expect(value.string == "q\"b\\s/n\nt\tu\u{e9}\u{1F600} lone\u{FFFD}")
    }

    @Test func serializesStringsWithTheEscapesJSONRequires() {
        #expect(JSONValue.string("a\"b\\c\n\u{1}").serialized == #""a\"b\\c\n\u0001""#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"unterminated", "\"ctl\u{1}\"", "[1] 2", "{\"a\":1,}", "\"\\x\"",
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesNestingDeeperThanTheLimitInsteadOfOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func textOfAValueIsWhatComparisonsUse() throws {
        #expect(JSONValue.string("abc").text == "abc")
        #expect(JSONValue.number("42").text == "42")
        #expect(try JSONValue.parse(#"{"a":[1,2]}"#).text == #"{"a":[1,2]}"#)
    }
}

@Suite struct JSONPathTests {
    let document: JSONValue = try! JSONValue.parse(#"{"user":{"name":"ada"},"items":[{"id":7},{"id":8}],"a.b":{"c":1}}"#)

    @Test(arguments: [
        ("user.name", JSONValue.string("ada")),
        ("items[1].id", .number("8")),
        ("items[0]", .object([JSONMember(key: "id", value: .number("7"))])),
        (#"["a.b"].c"#, .number("1")),
    ])
    func findsTheValueAtAPath(path: String, expected: JSONValue) throws {
        let parsed = try #require(JSONPath(path))
        #expect(parsed.lookup(in: document) == expected)
    }

    @Test func aMissingStepFindsNothing() throws {
        #expect(try #require(JSONPath("user.email")).lookup(in: document) == nil)
        #expect(try #require(JSONPath("items[5].id")).lookup(in: document) == nil)
        #expect(try #require(JSONPath("user[0]")).lookup(in: document) == nil)
    }

    @Test(arguments: ["a..b", ".a", "a.", "a[", "a[x]", "a[-1]", "a]b"])
    func rejectsMalformedPaths(_ text: String) {
        #expect(JSONPath(text) == nil)
    }
}
