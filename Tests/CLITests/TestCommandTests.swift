import Foundation
import Testing
import TestSupport

/// `gateway test`: the shipped cases pass, a wrong case fails with its diff, a malformed case
/// file is reported with positions.
// Serialized: each test blocks a thread reading a child's pipes (see CheckCommandTests).
@Suite(.serialized) struct TestCommandTests {
    /// `gateway.yaml` and every example configuration the built-in plugins can load (the
    /// custom-plugin example's needs its own binary: its ci.sh runs its cases), relative to the
    /// repository root, where the tests run (the exec example's program path is relative to it).
    static let configurations: [String] = (["gateway.yaml"] + ExampleConfigurations.paths).sorted()

    @Test func theExamplesThisTestRunsIncludeEveryKind() {
        for expected in ["gateway.yaml", "examples/exec/gateway.yaml", "examples/relay/gateway-b.yaml", "examples/stdin-logs.yaml"] {
            #expect(Self.configurations.contains(expected))
        }
    }

    @Test(arguments: configurations)
    func theShippedCasesPass(_ configuration: String) throws {
        let cases = String(configuration.dropLast(".yaml".count)) + ".test.yaml"
        #expect(FileManager.default.fileExists(atPath: cases), "every configuration ships its test cases")
        let result = try GatewayBinary.run(["test", configuration])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count >= 2)
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("PASS ") })
        #expect(lines.last == "\(lines.count - 1) passed, 0 failed")
        #expect(result.stderr.isEmpty)
    }

    static let configuration = """
        sources:
          quotes: { type: generate, interval: 1s }
        endpoints:
          - path: /quotes
            from: [quotes]
          - path: /alerts
            from: [quotes]
            pipeline:
              - filter: { data.price: { gte: 108 } }
              - rename: { quote: alert }
        """

    /// Writes the configuration and, beside it, `cases`; returns the configuration's path.
    func files(cases: String) throws -> String {
        let file = try GatewayBinary.temporaryFile(Self.configuration)
        try cases.write(toFile: String(file.dropLast(".yaml".count)) + ".test.yaml", atomically: true, encoding: .utf8)
        return file
    }

    @Test func aWrongCaseFailsWithItsDifferencesEventByEventAndExitsOne() throws {
        let file = try files(
            cases: """
                - name: quotes pass
                  input: { quotes: [ { event: quote, data: '{"price":1}' } ] }
                  expect: { /quotes: [ { event: quote, id: 0-1, data: '{"price":1}' } ] }
                - name: alerts are wrong
                  input:
                    quotes:
                      - { event: quote, data: '{"price":108}' }
                      - { event: quote, data: '{"price":109}' }
                  expect:
                    /alerts:
                      - { event: quote, data: { price: 108 } }
                    /quotes:
                      - { id: 0-1, event: quote, data: '{"price":108}' }
                      - { id: 0-2, event: quote, data: '{"price":109}' }
                      - { event: quote, data: '{"price":110}' }
                """)
        let result = try GatewayBinary.run(["test", file])
        #expect(result.status == 1)
        #expect(
            result.stdout == """
                PASS quotes pass
                FAIL alerts are wrong
                  /alerts: expected 1 event, got 2
                  /alerts event 1: expected event=quote data={"price":108}; got event=alert data={"price":108}
                  /alerts event 2: unexpected event=alert data={"price":109}
                  /quotes: expected 3 events, got 2
                  /quotes event 3: missing event=quote data={"price":110}
                1 passed, 1 failed

                """)
        #expect(result.stderr.isEmpty)
    }

    @Test func aMalformedCaseFileIsReportedWithPositionsAndExitsOne() throws {
        let file = try files(
            cases: """
                - name: typo
                  input: { quotse: [ { data: x } ] }
                  expect: { /quotes: [] }
                """)
        let cases = String(file.dropLast(".yaml".count)) + ".test.yaml"
        let result = try GatewayBinary.run(["test", file])
        #expect(result.status == 1)
        #expect(
            result.stderr == """
                \(cases):2:12: 'input' names unknown source 'quotse'. Did you mean 'quotes'?
                \(cases): 1 problem found

                """)
        #expect(result.stdout.isEmpty)

        try "- name: [unclosed".write(toFile: cases, atomically: true, encoding: .utf8)
        let syntax = try GatewayBinary.run(["test", file])
        #expect(syntax.status == 1)
        #expect(syntax.stderr.hasPrefix("\(cases):2:1: invalid YAML"))
    }

    @Test func casesElsewhereAreNamedWithCases() throws {
        let file = try GatewayBinary.temporaryFile(Self.configuration)
        let cases = try GatewayBinary.temporaryFile(
            "- { name: elsewhere, input: { quotes: [ { data: x } ] }, expect: { /quotes: [ { data: x } ] } }", name: "mine.yaml")
        let result = try GatewayBinary.run(["test", file, "--cases", cases])
        #expect(result.status == 0)
        #expect(result.stdout == "PASS elsewhere\n1 passed, 0 failed\n")
    }

    @Test func aMissingCaseFileIsReportedAndExitsOne() throws {
        let file = try GatewayBinary.temporaryFile(Self.configuration)
        let result = try GatewayBinary.run(["test", file])
        #expect(result.status == 1)
        let cases = String(file.dropLast(".yaml".count)) + ".test.yaml"
        #expect(result.stderr.hasPrefix("\(cases): no such test case file; write the cases there"))
    }

    @Test func anInvalidConfigurationIsReportedAsCheckReportsItAndExitsOne() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            sources:
              quotes: { type: generat }
            endpoints:
              - { path: /quotes, from: [quotes] }
            """)
        let result = try GatewayBinary.run(["test", file])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("\(file):2:19: unknown source type 'generat'. Did you mean 'generate'?") == true)
        #expect(lines.last == "\(file): 1 problem found")
        #expect(result.stdout.isEmpty)
    }
}
