import Foundation
import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

/// Every example configuration loads with the built-in plugins, so examples never rot.
@Suite struct ExampleConfigTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `examples/**/*.yaml`, except the custom-plugin example's, which needs that example's own
    /// binary (it registers a plugin the built-in list does not have; its ci.sh checks it), and
    /// the `*.test.yaml` case files of `gateway test` (CLITests runs them).
    static let files: [String] = {
        let examples = repository.appendingPathComponent("examples")
        let enumerator = FileManager.default.enumerator(at: examples, includingPropertiesForKeys: nil)
        var files: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            let path = url.path
            guard path.hasSuffix(".yaml"), !path.hasSuffix(".test.yaml"), !path.contains("/custom-plugin/"), !path.contains("/.build")
            else { continue }
            files.append(String(path.dropFirst(repository.path.count + 1)))
        }
        return files.sorted()
    }()

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
