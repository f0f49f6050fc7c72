import ArgumentParser
import GatewayConfig
import GatewayPlugin

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gateway check [FILE]`: validates a configuration and prints its plan.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration and print its plan (sources → pipelines → endpoints).",
        discussion: "Exit 0 when valid; otherwise every problem is printed to stderr as FILE:LINE:COLUMN: message, and the exit code is 1."
    )

    @Argument(help: "The configuration file.")
    var file: String = "gateway.yaml"

    func run() async throws {
        let loader = ConfigLoader(registry: Gateway.plugins)
        switch loader.load(file: file) {
        case .success(let configuration):
            print(Plan(configuration).text, terminator: "")
        case .failure(let errors):
            for problem in errors.problems { StandardError.print("\(problem)") }
            let count = errors.problems.count
            StandardError.print("\(file): \(count) problem\(count == 1 ? "" : "s") found")
            throw ExitCode(ExitStatus.invalidInput.rawValue)
        }
    }
}
