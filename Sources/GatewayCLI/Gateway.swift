import ArgumentParser
import GatewayPlugin

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `gateway` command line: the root command and its subcommands.
///
/// A custom binary with its own plugins runs the same command line with its own registry:
///
/// ```swift
/// var plugins = PluginRegistry.builtins
/// plugins.register(Redact.plugin)
/// await Gateway.main(plugins: plugins)
/// ```
public struct Gateway: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "A YAML-configured, plugin-based relay for Server-Sent Events.",
        discussion: "Exit codes: 0 success, 1 invalid configuration or input, 2 usage error, 3 runtime failure.",
        version: GatewayVersion.current,
        subcommands: [RunCommand.self, CheckCommand.self, TestCommand.self, TailCommand.self, PluginsCommand.self]
    )

    /// The plugins the running command may use; set by ``main(plugins:arguments:)``.
    @TaskLocal static var plugins = PluginRegistry.builtins

    public init() {}

    /// Runs the command line with `plugins` and exits with the SPEC's exit codes.
    public static func main(plugins: PluginRegistry, arguments: [String]? = nil) async {
        await $plugins.withValue(plugins) {
            do {
                var command = try parseAsRoot(arguments)
                if var asyncCommand = command as? AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            } catch {
                exit(withSpecCode: error)
            }
        }
    }

    /// ArgumentParser's usage errors exit 64; the contract says 2.
    private static func exit(withSpecCode error: Error) -> Never {
        let code = exitCode(for: error)
        if code == .validationFailure {
            let message = fullMessage(for: error)
            StandardError.print(message)
            Glibc.exit(ExitStatus.usage.rawValue)
        }
        self.exit(withError: error)
    }
}

/// The process exit codes of SPEC §1.
enum ExitStatus: Int32 {
    case success = 0
    case invalidInput = 1
    case usage = 2
    case runtimeFailure = 3
}
