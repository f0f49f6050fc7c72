import GatewayPlugin

/// The plugins of a registry as `gateway plugins` lists them: sources, then transforms, each
/// sorted by name, with their declared options.
struct PluginCatalog {
    /// One plugin: a source type or a transform.
    struct Entry {
        enum Kind: String {
            case source, transform
        }

        let kind: Kind
        /// The source's `type:` or the transform's step name.
        let name: String
        let summary: String
        let options: [OptionSpec]
    }

    /// Every plugin, sources first.
    let entries: [Entry]

    init(_ registry: PluginRegistry) {
        let sources = registry.sources.values.sorted { $0.type < $1.type }.map {
            Entry(kind: .source, name: $0.type, summary: $0.summary, options: $0.options)
        }
        let transforms = registry.transforms.values.sorted { $0.name < $1.name }.map {
            Entry(kind: .transform, name: $0.name, summary: $0.summary, options: $0.options)
        }
        entries = sources + transforms
    }

    /// The plugins called `name` (a source and a transform may share one).
    func entries(named name: String) -> [Entry] {
        entries.filter { $0.name == name }
    }

    /// The list `gateway plugins` prints: each kind under a heading, one plugin a line with its summary.
    var listing: String {
        let width = entries.map(\.name.count).max() ?? 0
        let headings: [(Entry.Kind, String)] = [
            (.source, "Sources (sources: { NAME: { type: TYPE, … } }):"),
            (.transform, "Transforms (pipeline: [ NAME: { … } ]):"),
        ]
        var text = ""
        for (kind, heading) in headings {
            text += heading + "\n"
            for entry in entries where entry.kind == kind {
                text += "  " + entry.name + String(repeating: " ", count: width - entry.name.count) + "  " + entry.summary + "\n"
            }
            text += "\n"
        }
        return text + "'gateway plugins NAME' shows a plugin's options.\n"
    }
}
