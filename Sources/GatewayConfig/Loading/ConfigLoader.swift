import GatewayPlugin

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads `gateway.yaml` into a ``GatewayConfiguration``, or into the list of every problem in it.
///
/// Loading never stops at the first mistake: each section is read as far as it can be, plugins
/// validate their own options through ``OptionsReader``, and all problems come back sorted
/// by position, each as `FILE:LINE:COLUMN: message`.
public struct ConfigLoader: Sendable {
    /// The plugins `type:` and pipeline steps may name.
    public var registry: PluginRegistry
    /// The variables `${NAME}` reads.
    public var environment: [String: String]

    /// Creates a loader.
    /// - Parameters:
    ///   - registry: the plugins the configuration may use.
    ///   - environment: variables for `${NAME}`; the process environment by default.
    public init(registry: PluginRegistry, environment: [String: String] = ConfigLoader.processEnvironment()) {
        self.registry = registry
        self.environment = environment
    }

    /// Reads and loads the file at `path` (named in messages as given).
    public func load(file path: String) -> Result<GatewayConfiguration, ConfigErrors> {
        guard let text = Self.readFile(path) else {
            return .failure(
                ConfigErrors(problems: [
                    ConfigProblem("cannot read the configuration file", at: ConfigLocation(file: path, line: 1, column: 1))
                ]))
        }
        return load(yaml: text, file: path)
    }

    /// Loads configuration text; `file` names it in messages.
    public func load(yaml: String, file: String) -> Result<GatewayConfiguration, ConfigErrors> {
        let diagnostics = Diagnostics()
        let tree = YAMLTree(file: file, interpolation: Interpolation(environment: environment), diagnostics: diagnostics)
        guard let root = tree.parse(yaml) else {
            return .failure(ConfigErrors(problems: diagnostics.sortedProblems))
        }
        let document = DocumentReader(file: file, root: root, registry: registry, diagnostics: diagnostics)
        let configuration = document.read()
        if let configuration, diagnostics.isEmpty {
            return .success(configuration)
        }
        return .failure(ConfigErrors(problems: diagnostics.sortedProblems))
    }

    /// The current process environment.
    public static func processEnvironment() -> [String: String] {
        var variables: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return variables
    }

    /// The file's text (invalid UTF-8 replaced), or `nil` when it cannot be read.
    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        if ferror(file) != 0 { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Every problem in a configuration, sorted by position.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    /// The problems, each `FILE:LINE:COLUMN: message`.
    public var problems: [ConfigProblem]

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
