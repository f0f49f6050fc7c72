import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

/// The case files of `gateway test`: what they say, and every mistake with its position.
@Suite struct TestCaseLoaderTests {
    static let configuration: GatewayConfiguration = {
        let yaml = """
            sources:
              quotes: { type: generate, interval: 1s }
              upstream: { type: generate, interval: 1s, max_event_size: 16 }
            endpoints:
              - { path: /quotes, from: [quotes] }
              - { path: /alerts, from: [quotes] }
              - { path: "/orders/{customer}", from: [quotes], channel: data.customer }
            """
        guard case .success(let configuration) = ConfigLoader(registry: .builtins, environment: [:]).load(yaml: yaml, file: "g.yaml")
        else { fatalError("the test configuration is invalid") }
        return configuration
    }()

    func load(_ yaml: String) -> Result<[TestCase], ConfigErrors> {
        TestCaseLoader(configuration: Self.configuration).load(yaml: yaml, file: "g.test.yaml")
    }

    func problems(_ yaml: String) -> [String] {
        guard case .failure(let errors) = load(yaml) else { return [] }
        return errors.problems.map(\.description)
    }

    @Test func theSpecsExampleReadsAsWritten() throws {
        let cases = try load(
            """
            - name: alerts keep only high prices
              input: { quotes: [ { event: quote, data: '{"symbol":"ACME","price":101}' } ] }
              expect: { /alerts: [ { event: alert, data: '{"symbol":"ACME","price":101}' } ] }
            - name: upstream transcript
              input: { upstream: { sse: "id: 7\\nevent: tick\\ndata: a\\n\\n" } }
              expect: { /quotes: [ { event: tick, data: a, id: "7" } ], /alerts: [] }
            """
        ).get()
        #expect(cases.map(\.name) == ["alerts keep only high prices", "upstream transcript"])
        #expect(cases[0].inputs.map(\.source) == ["quotes"])
        #expect(cases[0].inputs[0].events == [Event(event: "quote", data: #"{"symbol":"ACME","price":101}"#)])
        #expect(cases[0].expectations.map(\.path) == ["/alerts"])
        #expect(cases[0].expectations[0].events == [TestCase.ExpectedEvent(type: "alert", data: #"{"symbol":"ACME","price":101}"#)])
        #expect(cases[1].inputs[0].events == [Event(id: "7", event: "tick", data: "a")])
        #expect(cases[1].expectations[0].events == [TestCase.ExpectedEvent(type: "tick", data: "a", id: "7")])
        #expect(cases[1].expectations[1].events.isEmpty)
        #expect(cases[1].location.line == 4)
    }

    @Test func dataWrittenAsYAMLIsItsCompactJSONAndScalarsAreTheirText() throws {
        let cases = try load(
            """
            - name: shapes
              input:
                quotes:
                  - data: { symbol: ACME, price: 1.10, up: true, note: ~, tags: [a, "1", 2], code: '7', hex: 0x1F }
                  - data: 101
                  - data: "line one\\nline two"
                  - data: ''
                  - data: [1, -2.5e3]
              expect: { /quotes: [ { data: '${NOT_INTERPOLATED}' } ] }
            """
        ).get()
        #expect(
            cases[0].inputs[0].events.map(\.data) == [
                #"{"symbol":"ACME","price":1.10,"up":true,"note":null,"tags":["a","1",2],"code":"7","hex":"0x1F"}"#,
                "101", "line one\nline two", "", "[1,-2.5e3]",
            ])
        #expect(cases[0].expectations[0].events[0].data == "${NOT_INTERPOLATED}", "case files are literal")
    }

    @Test func aTranscriptGoesThroughTheSSEParserWithTheSourcesSizeLimit() throws {
        let cases = try load(
            """
            - name: transcript
              input:
                upstream:
                  sse: "retry: 10\\n: comment\\n\\nid: 1\\ndata: a\\ndata: b\\n\\ndata: this one is far too large\\n\\nevent: x\\ndata: c\\n\\ndata: unfinished"
              expect: { /quotes: [] }
            """
        ).get()
        #expect(cases[0].inputs[0].events == [Event(id: "1", data: "a\nb"), Event(id: "1", event: "x", data: "c")])
    }

    @Test func severalSourcesAreFedInTheOrderWritten() throws {
        let cases = try load(
            """
            - name: two
              input: { upstream: [ { data: u } ], quotes: [ { data: q } ] }
              expect: { /quotes: [] }
            """
        ).get()
        #expect(cases[0].inputs.map(\.source) == ["upstream", "quotes"])
    }

    @Test func unknownSourcesEndpointsAndKeysAreReportedWithTheirPositionAndTheClosestName() {
        #expect(
            problems(
                """
                - name: typos
                  input: { quotse: [ { data: x, evnt: a } ] }
                  expect:
                    /alert: []
                    /quotes: [ { data: x, channel: a } ]
                  expct: {}
                """
            ) == [
                "g.test.yaml:2:12: 'input' names unknown source 'quotse'. Did you mean 'quotes'?",
                "g.test.yaml:4:5: 'expect' names unknown endpoint '/alert'. Did you mean '/alerts'?",
                "g.test.yaml:5:36: 'channel' is checked only on channel endpoints, and '/quotes' has no 'channel:'",
                "g.test.yaml:6:3: unknown key 'expct' in case 'typos'. Did you mean 'expect'?",
            ])
    }

    @Test func wrongShapesAreReported() {
        #expect(
            problems(
                """
                - name: shapes
                  input: { quotes: { data: x } }
                  expect: { /quotes: { data: x } }
                - just a string
                - input: { quotes: [ plain ] }
                  expect: { /quotes: [ { event: x } ] }
                - name: shapes
                  input: []
                  expect: {}
                """
            ) == [
                "g.test.yaml:2:20: the input of 'quotes' needs 'sse'",
                "g.test.yaml:2:22: unknown key 'data' in the input of 'quotes'.",
                "g.test.yaml:3:22: '/quotes' must be a list of the events it publishes ('[]' for none), found a map",
                "g.test.yaml:4:3: case 2 must be a map with 'name', 'input' and 'expect', found a scalar",
                "g.test.yaml:5:3: case 3 needs 'name'",
                "g.test.yaml:5:22: an input event must be a map like '{ event: quote, data: x }', found a scalar",
                "g.test.yaml:6:24: an expected event needs 'data' (write data: '' for empty data)",
                "g.test.yaml:8:10: 'input' must map source names to their events, found a list",
                "g.test.yaml:9:11: 'expect' names no endpoint; name at least one ('/path: []' for one that must publish nothing)",
            ])
    }

    @Test func twoCasesWithOneNameAreReported() {
        #expect(
            problems(
                """
                - { name: same, input: {}, expect: { /quotes: [] } }
                - { name: same, input: {}, expect: { /quotes: [] } }
                """
            ) == ["g.test.yaml:2:11: another case is named 'same' (line 1); give each case a name of its own"])
    }

    @Test func aFileThatIsNotAListOfCasesIsReported() {
        #expect(problems("") == ["g.test.yaml:1:1: a test case file must be a list of one or more cases like \(Self.shape)"])
        #expect(problems("[]") == ["g.test.yaml:1:1: a test case file must be a list of one or more cases like \(Self.shape)"])
        #expect(
            problems("name: x") == ["g.test.yaml:1:1: a test case file must be a list of one or more cases like \(Self.shape), found a map"])
        #expect(problems("- name: [unclosed").first?.hasPrefix("g.test.yaml:2:1: invalid YAML") == true)
    }

    static let shape = "'- name: …, input: { SOURCE: [events] }, expect: { /PATH: [events] }'"

    @Test func theCaseFileIsBesideItsConfiguration() {
        #expect(TestCaseLoader.caseFile(besideConfiguration: "gateway.yaml") == "gateway.test.yaml")
        #expect(TestCaseLoader.caseFile(besideConfiguration: "examples/relay/gateway-a.yaml") == "examples/relay/gateway-a.test.yaml")
        #expect(TestCaseLoader.caseFile(besideConfiguration: "conf.yml") == "conf.test.yaml")
        #expect(TestCaseLoader.caseFile(besideConfiguration: "gateway") == "gateway.test.yaml")
    }
}
