import Foundation
import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing
import TestSupport

/// Every example configuration loads with the built-in plugins, so examples never rot.
@Suite struct ExampleConfigTests {
    static let repository = ExampleConfigurations.repository

    /// The examples' configurations (see ``ExampleConfigurations``).
    static let files = ExampleConfigurations.paths

    @Test func theExamplesThisTestReadsAreTheOnesTheREADMEsName() {
        for expected in ["examples/channels/gateway.yaml", "examples/poll-api/gateway.yaml", "examples/relay/gateway-a.yaml", "examples/relay/gateway-b.yaml", "examples/stdin-logs.yaml"] {
            #expect(Self.files.contains(expected))
        }
    }

    @Test(arguments: files)
    func loads(_ file: String) throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent(file), encoding: .utf8)
        let result = ConfigLoader(registry: .builtins, environment: [:]).load(yaml: text, file: file)
        if case .failure(let errors) = result {
            Issue.record("\(errors.problems.map(\.description).joined(separator: "\n"))")
        }
    }
}
