import ArgumentParser
import GatewayConfig
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gateway test [FILE]`: runs the test cases beside a configuration, offline (SPEC §8).
///
/// The configuration is loaded as `run` and `check` load it (same loader, same plugins), the
/// endpoints are built as `run` builds them, and each case's events stand for the sources'
/// output: no source runs, nothing listens, nothing connects.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the test cases of a configuration offline: events into sources, what endpoints publish checked.",
        discussion: """
            The cases are read from the file beside FILE (gateway.yaml → gateway.test.yaml) or from --cases PATH.
            Prints PASS or FAIL for each case, with the differences event by event, then 'N passed, M failed'.
            Exit 0 when every case passes; 1 when one fails, or when FILE or the case file is invalid
            (every problem on stderr as FILE:LINE:COLUMN: message) or the case file is missing.
            """
    )

    @Argument(help: "The configuration file.")
    var file: String = "gateway.yaml"

    @Option(name: .long, help: ArgumentHelp("The test case file (default: beside FILE, ending .test.yaml).", valueName: "path"))
    var cases: String?

    @Option(name: .long, help: "Log level of the transforms' logs (on stderr): trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .warning

    func run() throws {
        let level = logLevel
        // The command is the executable's entry point: the one place logging is bootstrapped.
        // Logs go to stderr so that stdout is the report alone.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }

        let configuration: GatewayConfiguration
        switch ConfigLoader(registry: Gateway.plugins).load(file: file) {
        case .success(let loaded): configuration = loaded
        case .failure(let errors): try Self.fail(errors, in: file)
        }

        let casesFile = cases ?? TestCaseLoader.caseFile(besideConfiguration: file)
        guard access(casesFile, F_OK) == 0 else {
            StandardError.print(
                "\(casesFile): no such test case file; write the cases there (see 'gateway test --help'), or name the file with --cases PATH")
            throw ExitCode(ExitStatus.invalidInput.rawValue)
        }
        let testCases: [TestCase]
        switch TestCaseLoader(configuration: configuration).load(file: casesFile) {
        case .success(let loaded): testCases = loaded
        case .failure(let errors): try Self.fail(errors, in: casesFile)
        }

        let runner = CaseRunner(configuration: configuration, logger: Logger(label: "gateway.test"))
        var report = TestReport()
        for testCase in testCases {
            for line in report.lines(for: runner.run(testCase)) { print(line) }
        }
        print(report.summary)
        if !report.allPassed { throw ExitCode(ExitStatus.invalidInput.rawValue) }
    }

    /// Prints every problem of `file` as `check` does, and exits 1.
    private static func fail(_ errors: ConfigErrors, in file: String) throws -> Never {
        for problem in errors.problems { StandardError.print("\(problem)") }
        let count = errors.problems.count
        StandardError.print("\(file): \(count) problem\(count == 1 ? "" : "s") found")
        throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
}
