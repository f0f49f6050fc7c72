/// `${NAME}` and `${NAME:-default}` substitution from the environment.
///
/// Applied to every string value after YAML parsing (so a substituted value is never re-read as
/// YAML), never to keys. `$${` writes a literal `${`.
struct Interpolation {
    let environment: [String: String]

    /// The value with every reference replaced, or what is wrong with its references.
    func apply(_ text: String) -> Result<String, Problems> {
        guard text.contains("$") else { return .success(text) }
        var output = ""
        var missing: [String] = []
        var malformed: [String] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let afterDollar = rest[rest.index(after: dollar)...]
            if afterDollar.hasPrefix("${") {
                output += "${"
                rest = afterDollar.dropFirst(2)
                continue
            }
            guard afterDollar.hasPrefix("{") else {
                output += "$"
                rest = afterDollar
                continue
            }
            guard let close = afterDollar.firstIndex(of: "}") else {
                malformed.append("'${' is not closed; write ${NAME} (or $${ for a literal '${')")
                output += afterDollar
                rest = afterDollar[afterDollar.endIndex...]
                break
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
            if name.isEmpty {
                malformed.append("'${}' names no variable; write ${NAME} or ${NAME:-default}")
            } else if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                missing.append(String(name))
            }
            rest = afterDollar[afterDollar.index(after: close)...]
        }
        output += rest
        return missing.isEmpty && malformed.isEmpty ? .success(output) : .failure(Problems(missing: missing, malformed: malformed))
    }

    struct Problems: Error {
        /// Variables that are unset and have no default.
        let missing: [String]
        /// References that cannot be read, each as a sentence.
        let malformed: [String]
    }
}
