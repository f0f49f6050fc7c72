import GatewayPlugin
import Yams

/// Turns YAML text into a ``ConfigNode`` tree with positions, interpolating `${NAME}` in every
/// string value. Syntax errors and unset variables are reported, never thrown past the loader.
struct YAMLTree {
    let file: String
    /// `nil` keeps every value as written (test case files: their data is literal).
    let interpolation: Interpolation?
    let diagnostics: Diagnostics

    /// The most values (scalars, lists, maps) a document may expand to. YAML aliases can make a
    /// few hundred bytes stand for billions of values (the "billion laughs"); no configuration
    /// needs a fraction of this.
    static let maximumValues = 100_000

    /// Values left before ``maximumValues``; shared by the whole conversion.
    private final class Budget {
        var remaining = YAMLTree.maximumValues
        var exceeded = false
    }
    private let budget = Budget()

    /// The document's root, or `nil` after reporting a syntax error.
    func parse(_ yaml: String) -> ConfigNode? {
        do {
            guard let root = try Yams.compose(yaml: yaml) else {
                return ConfigNode(.null, at: ConfigLocation(file: file, line: 1, column: 1))
            }
            return convert(root, keyPath: "")
        } catch let error as YamlError {
            report(error)
            return nil
        } catch {
            diagnostics.report("cannot read YAML: \(error)", at: ConfigLocation(file: file, line: 1, column: 1))
            return nil
        }
    }

    private func location(_ mark: Mark?) -> ConfigLocation {
        ConfigLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private func convert(_ node: Node, keyPath: String) -> ConfigNode {
        let here = location(node.mark)
        budget.remaining -= 1
        guard budget.remaining >= 0 else {
            if !budget.exceeded {
                budget.exceeded = true
                diagnostics.report(
                    "the document expands to more than \(Self.maximumValues) values (through YAML aliases?); '\(keyPath)' is where it went over",
                    at: here)
            }
            return ConfigNode(.null, at: here)
        }
        switch node {
        case .scalar(let scalar):
            let isPlain = scalar.style == .plain || scalar.style == .any
            if isPlain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return ConfigNode(.null, at: here)
            }
            guard let interpolation else { return ConfigNode(.scalar(scalar.string, isPlain: isPlain), at: here) }
            switch interpolation.apply(scalar.string) {
            case .success(let text):
                return ConfigNode(.scalar(text, isPlain: isPlain), at: here)
            case .failure(let problems):
                for name in problems.missing {
                    diagnostics.reportCause(
                        "environment variable '\(name)' is not set (used by '\(keyPath)'); set it or write ${\(name):-default}",
                        at: here)
                }
                for problem in problems.malformed {
                    diagnostics.reportCause("\(problem) (in '\(keyPath)')", at: here)
                }
                return ConfigNode(.scalar(scalar.string, isPlain: isPlain), at: here)
            }
        case .sequence(let sequence):
            let elements = sequence.enumerated().map { index, element in
                convert(element, keyPath: "\(keyPath)[\(index)]")
            }
            return ConfigNode(.sequence(elements), at: here)
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            for (keyNode, valueNode) in mapping {
                let keyLocation = location(keyNode.mark)
                guard let key = keyNode.scalar?.string else {
                    diagnostics.report("a key must be a plain string", at: keyLocation)
                    continue
                }
                if entries.contains(where: { $0.key == key }) {
                    diagnostics.report("duplicate key '\(key)'", at: keyLocation)
                    continue
                }
                let path = keyPath.isEmpty ? key : "\(keyPath).\(key)"
                entries.append(ConfigEntry(key: key, keyLocation: keyLocation, value: convert(valueNode, keyPath: path)))
            }
            return ConfigNode(.mapping(entries), at: here)
        case .alias(let alias):
            diagnostics.report("YAML alias '*\(alias.anchor)' could not be resolved", at: here)
            return ConfigNode(.null, at: here)
        }
    }

    private func report(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? problem
            diagnostics.report("invalid YAML: \(detail)", at: location(mark))
        case .reader(let problem, _, _, _):
            diagnostics.report("invalid YAML: \(problem)", at: location(nil))
        default:
            diagnostics.report("invalid YAML: \(error)", at: location(nil))
        }
    }
}
