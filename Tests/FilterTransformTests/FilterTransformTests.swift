import FilterTransform
import GatewayConfig
import GatewayPlugin
import Testing

/// Runs `events` through a filter built from `yaml` and returns the data of those kept.
func kept(_ yaml: String, _ events: [Event]) throws -> [String] {
    let filter = try FilterTransform.plugin.prepare(yaml: yaml).get().make()
    var output: [Event] = []
    for event in events { filter.process(event, into: &output) }
    return output.map(\.data)
}

func problems(_ yaml: String) -> [String] {
    switch FilterTransform.plugin.prepare(yaml: yaml) {
    case .success: return []
    case .failure(let errors): return errors.problems.map(\.description)
    }
}

let quotes = [
    Event(id: "1", event: "quote", data: #"{"symbol":"ACME","price":99.5,"tags":["a","b"],"time":"2026-01-01T10:00:00Z"}"#),
    Event(id: "2", event: "quote", data: #"{"symbol":"GLOBEX","price":100,"tags":[],"time":"2026-01-02T10:00:00Z"}"#),
    Event(id: "3", event: "trade", data: #"{"symbol":"ACME","price":"101.25","user":{"name":"ada"}}"#),
    Event(event: nil, data: "plain text, not JSON"),
    Event(id: "5", event: "quote", data: #"{"symbol":"INITECH","price":null,"items":[{"id":7}]}"#),
]

@Suite struct FieldTests {
    @Test func eventMatchesTheTypeAndMessageWhenAbsent() throws {
        #expect(try kept("{ event: trade }", quotes) == [quotes[2].data])
        #expect(try kept("{ event: message }", quotes) == [quotes[3].data])
    }

    @Test func idAndRawDataCompareAsText() throws {
        #expect(try kept("{ id: 2 }", quotes) == [quotes[1].data])
        #expect(try kept("{ data: { prefix: plain } }", quotes) == [quotes[3].data])
    }

    @Test func dataPathReadsNestedFieldsAndArrayElements() throws {
        #expect(try kept("{ data.user.name: ada }", quotes) == [quotes[2].data])
        #expect(try kept(#"{ "data.items[0].id": 7 }"#, quotes) == [quotes[4].data])
    }

    @Test func dataThatIsNotJSONNeverMatchesADataPathCondition() throws {
        #expect(try !kept("{ data.symbol: { exists: false } }", quotes).contains(quotes[3].data))
        #expect(try !kept("{ data.symbol: { ne: ACME } }", quotes).contains(quotes[3].data))
    }
}

@Suite struct OperatorTests {
    @Test func aScalarMeansEqualsAndAListMeansOneOf() throws {
        #expect(try kept("{ data.symbol: ACME }", quotes) == [quotes[0].data, quotes[2].data])
        #expect(try kept("{ data.symbol: [GLOBEX, INITECH] }", quotes) == [quotes[1].data, quotes[4].data])
        #expect(try kept("{ data.symbol: { in: [GLOBEX] } }", quotes) == [quotes[1].data])
    }

    @Test func numbersCompareAsNumbersEvenWhenWrittenAsText() throws {
        #expect(try kept("{ data.price: 100 }", quotes) == [quotes[1].data])
        #expect(try kept("{ data.price: 100.0 }", quotes) == [quotes[1].data])
        #expect(try kept("{ data.price: { gte: 100 } }", quotes) == [quotes[1].data, quotes[2].data])
        #expect(try kept("{ data.price: { gt: 100 } }", quotes) == [quotes[2].data])
        #expect(try kept("{ data.price: { lt: 100 } }", quotes) == [quotes[0].data])
        #expect(try kept("{ data.price: { lte: 100, gt: 99.6 } }", quotes) == [quotes[1].data])
    }

    @Test func quotedValuesAreTextAndTextOrders() throws {
        #expect(try kept(#"{ data.time: { gt: "2026-01-01T12:00:00Z" } }"#, quotes) == [quotes[1].data])
    }

    @Test func neMatchesDifferentAndMissingValues() throws {
        #expect(try kept("{ event: quote, data.symbol: { ne: ACME } }", quotes) == [quotes[1].data, quotes[4].data])
        #expect(try kept("{ data.user.name: { ne: bob } }", quotes).count == 4)
    }

    @Test func containsSearchesTextAndArrays() throws {
        #expect(try kept("{ data.symbol: { contains: OBE } }", quotes) == [quotes[1].data])
        #expect(try kept("{ data.tags: { contains: b } }", quotes) == [quotes[0].data])
        #expect(try kept("{ data: { contains: not JSON } }", quotes) == [quotes[3].data])
    }

    @Test func prefixAndMatches() throws {
        #expect(try kept("{ data.symbol: { prefix: IN } }", quotes) == [quotes[4].data])
        #expect(try kept(#"{ data.symbol: { matches: "^(ACME|GLOBEX)$" } }"#, quotes) == [quotes[0].data, quotes[1].data, quotes[2].data])
        #expect(try kept(#"{ id: { matches: "[0-2]" } }"#, quotes) == [quotes[0].data, quotes[1].data])
    }

    @Test func existsTellsPresentFromMissing() throws {
        #expect(try kept("{ data.user: { exists: true } }", quotes) == [quotes[2].data])
        #expect(try kept("{ id: { exists: false } }", quotes) == [quotes[3].data])
        #expect(try kept("{ data.price: { exists: true } }", quotes).count == 4)
    }

    @Test func nullMatchesAJSONNull() throws {
        #expect(try kept("{ data.price: null }", quotes) == [quotes[4].data])
    }
}

@Suite struct CombinatorTests {
    @Test func everyKeyOfAMapMustHold() throws {
        #expect(try kept("{ event: quote, data.symbol: ACME }", quotes) == [quotes[0].data])
    }

    @Test func anyAllAndNotCombine() throws {
        #expect(try kept("{ any: [ { event: trade }, { data.symbol: INITECH } ] }", quotes) == [quotes[2].data, quotes[4].data])
        #expect(try kept("{ all: [ { event: quote }, { data.price: { gt: 99 } } ] }", quotes) == [quotes[0].data, quotes[1].data])
        #expect(try kept("{ not: { event: quote } }", quotes) == [quotes[2].data, quotes[3].data])
        #expect(try kept("{ not: { any: [ { event: quote }, { id: 3 } ] } }", quotes) == [quotes[3].data])
    }
}

@Suite struct FilterOptionErrorTests {
    @Test func eachMistakeIsReportedAtItsPosition() {
        let found = problems(
            """
            event: quote
            dta: x
            data.price: { gte: high, between: 3 }
            data.symbol: { matches: "([unclosed" }
            any: []
            data..x: 1
            id: { exists: maybe }
            """)
        #expect(found.count == 6)
        #expect(found[0] == "test.yaml:2:1: unknown field 'dta'. Did you mean 'data'? Fields are event, id, data and data.PATH; combinators any, all, not")
        #expect(found[1] == "test.yaml:3:26: unknown operator 'between'. Operators: eq, ne, in, gt, gte, lt, lte, contains, prefix, matches, exists")
        #expect(found[2].hasPrefix("test.yaml:4:25: invalid regular expression '([unclosed'"))
        #expect(found[3] == "test.yaml:5:6: 'any' takes a non-empty list of matchers")
        #expect(found[4] == "test.yaml:6:1: 'data..x' is not a valid path (write data.user.name or data.items[0])")
        #expect(found[5] == "test.yaml:7:15: 'exists' must be true or false, found 'maybe'")
    }

    @Test func aMatcherMustBeAMap() {
        #expect(problems("[event, quote]") == ["test.yaml:1:1: 'filter' expects a map of options, found a list"])
    }
}
