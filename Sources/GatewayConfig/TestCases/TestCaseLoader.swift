import GatewayPlugin

/// Loads a test case file (`gateway test`, SPEC §8) against a loaded configuration, or the
/// list of every problem in it.
///
/// Like ``ConfigLoader``, it never stops at the first mistake and reports each problem as
/// `FILE:LINE:COLUMN: message`: YAML syntax, unknown keys, wrong types, and sources or
/// endpoints the configuration does not have (with the closest name suggested). The file's
/// values are literal: `${NAME}` is not replaced, since event data may well contain it.
///
/// ```swift
/// let cases = TestCaseLoader(configuration: configuration).load(file: "gateway.test.yaml")
/// ```
public struct TestCaseLoader: Sendable {
    /// The configuration whose sources and endpoints the cases name.
    public var configuration: GatewayConfiguration

    /// Creates a loader for cases of `configuration`.
    public init(configuration: GatewayConfiguration) {
        self.configuration = configuration
    }

    /// The case file beside a configuration: `gateway.yaml` → `gateway.test.yaml`
    /// (`.yml` likewise; any other name gets `.test.yaml` appended).
    public static func caseFile(besideConfiguration path: String) -> String {
        for suffix in [".yaml", ".yml"] where path.hasSuffix(suffix) {
            return String(path.dropLast(suffix.count)) + ".test.yaml"
        }
        return path + ".test.yaml"
    }

    /// Reads and loads the file at `path` (named in messages as given).
    public func load(file path: String) -> Result<[TestCase], ConfigErrors> {
        guard let text = ConfigLoader.readFile(path) else {
            let place = ConfigLocation(file: path, line: 1, column: 1)
            return .failure(ConfigErrors(problems: [ConfigProblem("cannot read the test case file", at: place)]))
        }
        return load(yaml: text, file: path)
    }

    /// Loads case file text; `file` names it in messages.
    public func load(yaml: String, file: String) -> Result<[TestCase], ConfigErrors> {
        let diagnostics = Diagnostics()
        let tree = YAMLTree(file: file, interpolation: nil, diagnostics: diagnostics)
        guard let root = tree.parse(yaml) else {
            return .failure(ConfigErrors(problems: diagnostics.sortedProblems))
        }
        let cases = TestCaseReader(configuration: configuration, diagnostics: diagnostics).read(root)
        guard diagnostics.isEmpty else { return .failure(ConfigErrors(problems: diagnostics.sortedProblems)) }
        return .success(cases)
    }
}
