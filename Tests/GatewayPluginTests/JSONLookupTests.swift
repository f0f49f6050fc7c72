import GatewayPlugin
import Testing

@Suite struct JSONLookupTests {
    static let documents = [
        #"{"customer":"alice","n":1}"#,
        #"{"customer":42,"n":1}"#,
        #"{"customer":-4.5e3}"#,
        #"{"customer":{"id":"x"},"customer":"later"}"#,
        #"{"customer":"first","customer":{"id":"nested"}}"#,
        #"{"a":{"b":[1,{"c":"deep"}]},"a":{"b":[2]}}"#,
        #"{"a":{"b":[1,{"c":"deep"}]}}"#,
        #"{"a":[true,false,null,"s",{"b":"t"}]}"#,
        #"{"esc\"aped":"v\u00e9\n","customer":"caf\u00e9 \ud83d\ude00 \ud800"}"#,
        #"  {"customer" : "spaced" , "pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}  "#,
        #"["zero",{"customer":"in array"}]"#,
        #""just a string""#, "12", "true", "null", "[]", "{}",
        #"{"customer":"alice","broken":}"#,
        #"{"customer":"alice"} trailing"#,
        #"{"customer":"alice\u12"}"#,
        "{\"customer\":\"raw\ncontrol\"}",
        #"{"customer":"alice""#,
        #"{"customer":01}"#,
        "not json", "", "[1,2", #"{"a":"\q"}"#,
    ]
    static let paths = ["customer", "customer.id", "a.b[0]", "a.b[1].c", "a[3]", "a[4].b", "[1].customer", "[0]", "esc\"aped", "n", "missing"]

    @Test(arguments: documents)
    func findsWhatParsingAndLookingUpFinds(_ text: String) throws {
        let document = try? JSONValue.parse(text)
        for pathText in Self.paths {
            let path = try #require(JSONPath(pathText))
            #expect(JSONValue.lookup(path, in: text) == JSONLookup(path, in: document), "\(pathText) in \(text)")
        }
    }

    @Test func aRepeatedKeyIsItsLastOccurrence() throws {
        let path = try #require(JSONPath("customer"))
        #expect(JSONValue.lookup(path, in: #"{"customer":{"id":"x"},"customer":"later"}"#) == .string("later"))
        let nested = try #require(JSONPath("customer.id"))
        #expect(JSONValue.lookup(nested, in: #"{"customer":{"id":"x"},"customer":"later"}"#) == .missing)
    }

    @Test func aMistakeAfterTheValueStillMakesTheTextNotJSON() throws {
        let path = try #require(JSONPath("customer"))
        #expect(JSONValue.lookup(path, in: #"{"customer":"alice","broken":}"#) == .notJSON)
        #expect(JSONValue.lookup(path, in: #"{"customer":"alice"}"#) == .string("alice"))
    }

    @Test func aParsedDocumentOnThisThreadIsReused() throws {
        let data = #"{"customer":"alice"}"#
        _ = ParsedData.document(of: data)
        #expect(ParsedData.lookup(try #require(JSONPath("customer")), in: data) == .string("alice"))
        #expect(ParsedData.lookup(try #require(JSONPath("customer")), in: #"{"customer":7}"#) == .number("7"))
    }
}
