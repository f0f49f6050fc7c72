import GatewayConfig
import GatewayServer
import Logging

/// Runs test cases on the endpoints `gateway run` would serve, offline (``PipelineHarness``),
/// and compares what they publish with each case's expectations.
struct CaseRunner {
    /// The endpoints, mapped from the configuration as `gateway run` maps them.
    let endpoints: [EndpointSettings]
    /// The transforms' logger.
    let logger: Logger

    /// What one case gave: its name and the differences found (none when it passed).
    struct Result {
        let name: String
        /// ``EventDiff`` lines, endpoint after endpoint in the order the case names them.
        let differences: [String]

        var passed: Bool { differences.isEmpty }
    }

    init(configuration: GatewayConfiguration, logger: Logger) {
        self.endpoints = configuration.endpoints.map { EndpointSettings($0) }
        self.logger = logger
    }

    /// Runs `testCase` on new transforms: nothing carries over from an earlier case.
    func run(_ testCase: TestCase) -> Result {
        let harness = PipelineHarness(endpoints: endpoints, logger: logger)
        for input in testCase.inputs {
            harness.feed(input.events, from: input.source)
        }
        let published = harness.finish()
        let differences = testCase.expectations.flatMap { expectation in
            EventDiff(path: expectation.path, expected: expectation.events, got: published[expectation.path] ?? []).lines
        }
        return Result(name: testCase.name, differences: differences)
    }
}
