/// `${NAME}` and `${NAME:-default}` substitution from the environment.
///
/// Applied to every string value after YAML parsing (so a substituted value is never re-read as
/// YAML), never to keys. `$${` writes a literal `${`.
struct Interpolation {
    let environment: [String: String]

    /// The value with every reference replaced, or the names that are unset and have no default.
    func apply(_ text: String) -> Result<String, MissingVariables> {
        guard text.contains("$") else { return .success(text) }
        var output = ""
        var missing: [String] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let afterDollar = rest[rest.index(after: dollar)...]
            if afterDollar.hasPrefix("${") {
                output += "${"
                rest = afterDollar.dropFirst(2)
                continue
            }
            guard afterDollar.hasPrefix("{"), let close = afterDollar.firstIndex(of: "}") else {
                output += "$"
                rest = afterDollar
                continue
            }
            let reference = afterDollar[afterDollar.index(after: afterDollar.startIndex)..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = reference.firstRange(of: ":-") {
                name = reference[..<separator.lowerBound]
                fallback = reference[separator.upperBound...]
            } else {
                name = reference
                fallback = nil
            }
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                missing.append(String(name))
            }
            rest = afterDollar[afterDollar.index(after: close)...]
        }
        output += rest
        return missing.isEmpty ? .success(output) : .failure(MissingVariables(names: missing))
    }

    struct MissingVariables: Error {
        let names: [String]
    }
}
