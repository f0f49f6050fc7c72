import GatewayPlugin
import Testing

@Suite struct MergePatchTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    /// RFC 7386 Appendix A: (original, patch, result).
    static let rfcExamples: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test func appliesEveryExampleOfTheRFC() throws {
        for (original, patch, result) in Self.rfcExamples {
            #expect(try Self.json(original).applying(mergePatch: Self.json(patch)).serialized == result, "\(original) + \(patch)")
        }
    }

    /// (previous version, new version, the patch expected between them).
    static let changes: [(String, String, String)] = [
        (#"{"id":1,"title":"a","state":"open"}"#, #"{"id":1,"title":"a","state":"closed"}"#, #"{"state":"closed"}"#),
        (#"{"id":1,"owner":{"name":"x","team":{"id":7,"lead":"y"}}}"#, #"{"id":1,"owner":{"name":"x","team":{"id":8,"lead":"y"}}}"#,
         #"{"owner":{"team":{"id":8}}}"#),
        (#"{"id":1,"tags":["a","b"]}"#, #"{"id":1,"tags":["a","b","c"]}"#, #"{"tags":["a","b","c"]}"#),
        (#"{"id":1,"note":"x","due":"2026-12-24"}"#, #"{"id":1}"#, #"{"note":null,"due":null}"#),
        (#"{"id":1}"#, #"{"id":1,"meta":{"a":{"b":1}}}"#, #"{"meta":{"a":{"b":1}}}"#),
        (#"{"id":1,"meta":{"a":1}}"#, #"{"id":1,"meta":[1,2]}"#, #"{"meta":[1,2]}"#),
        (#"{"id":1,"meta":[1]}"#, #"{"id":1,"meta":{"a":1}}"#, #"{"meta":{"a":1}}"#),
        (#"[1,2]"#, #"[2,1]"#, #"[2,1]"#),
    ]

    @Test func thePatchBetweenTwoVersionsIsTheChangeAndAppliedGivesTheNewOne() throws {
        for (old, new, expected) in Self.changes {
            let patch = JSONValue.mergePatch(from: try Self.json(old), to: try Self.json(new))
            #expect(patch.serialized == expected, "\(old) → \(new)")
            #expect(try Self.json(old).applying(mergePatch: patch) == Self.json(new), "\(old) + \(patch.serialized)")
        }
    }

    @Test func anUnchangedDocumentHasAnEmptyPatch() throws {
        let document = try Self.json(#"{"a":{"b":[1,{"c":null}]},"d":"e"}"#)
        #expect(JSONValue.mergePatch(from: document, to: document).serialized == "{}")
    }
}
