import GatewayCLI
import GatewayPlugin
import Testing

/// Every built-in plugin reads exactly the options it declares, as it declares them: the
/// declaration is what `gateway plugins` and the README show, so they cannot drift from the code.
///
/// Each plugin is driven with every declared key set (nested maps filled in too, so their keys
/// are read), and its reader's ``OptionsAudit`` must show no read that disagrees with the
/// declaration (a key read but not declared; another type, default, range or choices) and
/// every declared key read. A plugin that takes its keys as data (`filter`, `rename`) reads
/// them whole.
@Suite struct PluginDeclarationTests {
    static let registry = PluginRegistry.builtins

    /// What a plugin reads with: its options, and how to run its `make` or `prepare`.
    struct Driven {
        let options: [OptionSpec]
        let drive: (OptionsReader) -> Void
    }

    static func plugin(_ name: String) -> Driven {
        if let source = registry.sources[name] { return Driven(options: source.options) { _ = source.make($0) } }
        let transform = registry.transforms[name]!
        return Driven(options: transform.options) { _ = transform.prepare($0) }
    }

    static let names = registry.sources.keys.sorted() + registry.transforms.keys.sorted()

    @Test(arguments: names)
    func readsEveryDeclaredOptionAndNoOther(_ name: String) {
        let plugin = Self.plugin(name)
        #expect(!plugin.options.isEmpty, "\(name) declares no options")
        let diagnostics = Diagnostics()
        let reader = OptionsReader(node: Self.sample(plugin.options), context: "'\(name)'", diagnostics: diagnostics)
        plugin.drive(reader)
        reader.finish()
        #expect(reader.audit.drift == [], "\(name): its reading disagrees with its declared options")
        let unread = plugin.options.flatMap(\.rows).map(\.key).filter { key in
            !reader.audit.askedKeys.contains(key) && !reader.audit.wholeMaps.contains { key.hasPrefix($0.isEmpty ? "" : $0 + ".") }
        }
        #expect(unread == [], "\(name) declares options it never reads")
        let unknown = diagnostics.problems.filter { $0.message.hasPrefix("unknown key") }.map(\.description)
        #expect(unknown == [], "\(name) refuses keys it declares")
    }

    /// With no options at all, the reads a plugin makes regardless (defaults) agree too.
    @Test(arguments: names)
    func readsWithDefaultsAsDeclared(_ name: String) {
        let plugin = Self.plugin(name)
        let reader = OptionsReader(node: ConfigNode(.mapping([]), at: Self.here), context: "'\(name)'", diagnostics: Diagnostics())
        plugin.drive(reader)
        #expect(reader.audit.drift == [], "\(name): its reading disagrees with its declared options")
    }

    static let here = ConfigLocation(file: "declared.yaml", line: 1, column: 1)

    /// A map with every declared key set to a value of its declared type.
    static func sample(_ options: [OptionSpec]) -> ConfigNode {
        ConfigNode(.mapping(options.map { ConfigEntry(key: $0.key, keyLocation: here, value: sample($0.type)) }), at: here)
    }

    static func sample(_ type: OptionType) -> ConfigNode {
        func scalar(_ text: String) -> ConfigNode { ConfigNode(.scalar(text, isPlain: true), at: here) }
        switch type {
        case .string, .shape: return scalar("x")
        case .int(let range): return scalar("\(range.lowerBound)")
        case .bool: return scalar("true")
        case .duration(let minimum): return scalar(Units.describe(max(minimum, .seconds(1))))
        case .size(let minimum): return scalar(Units.describe(bytes: max(minimum, 1024)))
        case .choice(let words): return scalar(words.last ?? "")
        case .stringList: return ConfigNode(.sequence([scalar("x")]), at: here)
        case .stringMap: return ConfigNode(.mapping([ConfigEntry(key: "X-Sample", keyLocation: here, value: scalar("x"))]), at: here)
        case .map(let options): return sample(options)
        }
    }
}
