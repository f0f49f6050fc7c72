import ArgumentParser
import GatewayPlugin

/// `gateway plugins [NAME]`: the source types and transforms this binary knows, and a plugin's
/// options — from the declarations that also validate them, so the help cannot disagree with
/// what `gateway check` accepts. It lists ``Gateway/plugins``, so a custom binary shows its own.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the source types and transforms, or show one plugin's options.",
        discussion: """
            Without NAME, every source type and transform with its one-line summary. With NAME, that plugin's options: \
            key, type, default, allowed values and description. An unknown NAME exits 1.
            """
    )

    @Argument(help: "A source type (sse, poll, …) or a transform (filter, dedupe, …).")
    var name: String?

    @Flag(help: "Print the options as the README's Markdown table (without NAME: every plugin's, each under '#### `NAME`').")
    var markdown = false

    func run() throws {
        let catalog = PluginCatalog(Gateway.plugins)
        guard let name else {
            if markdown {
                print(catalog.entries.map { "#### `\($0.name)`\n\n" + OptionTable($0.options).markdown }.joined(separator: "\n"), terminator: "")
            } else {
                print(catalog.listing, terminator: "")
            }
            return
        }
        let entries = catalog.entries(named: name)
        guard !entries.isEmpty else {
            let names = catalog.entries.map(\.name)
            let hint = Suggestion.hint(for: name, among: names)
            StandardError.print("gateway plugins: unknown plugin '\(name)'.\(hint) Known: \(names.joined(separator: ", "))")
            throw ExitCode(ExitStatus.invalidInput.rawValue)
        }
        let pages = entries.map { entry in
            if markdown { return OptionTable(entry.options).markdown }
            let options = entry.options.isEmpty ? "It declares no options.\n" : OptionTable(entry.options).text
            return "\(entry.name) (\(entry.kind.rawValue)): \(entry.summary)\n\n" + options
        }
        print(pages.joined(separator: "\n"), terminator: "")
    }
}
