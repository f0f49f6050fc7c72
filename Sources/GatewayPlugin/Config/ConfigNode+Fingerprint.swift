extension ConfigNode {
    /// The value as one canonical text, without positions: two nodes that configure the same
    /// thing have the same fingerprint wherever they are in the file. A reload compares them to
    /// tell what changed (SPEC §8).
    public var fingerprint: String {
        var text = ""
        write(into: &text, skipping: [])
        return text
    }

    /// ``fingerprint`` of a map without the entries called `keys` (an endpoint without its
    /// pipeline, compared on its own).
    public func fingerprint(skipping keys: Set<String>) -> String {
        var text = ""
        write(into: &text, skipping: keys)
        return text
    }

    private func write(into text: inout String, skipping keys: Set<String>) {
        switch value {
        case .null:
            text += "~"
        case .scalar(let scalar, let isPlain):
            // Quoted `'true'` and plain `true` read differently: keep them apart.
            text += isPlain ? "=" : "'"
            text += JSONValue.quoted(scalar)
        case .sequence(let elements):
            text += "["
            for element in elements {
                element.write(into: &text, skipping: [])
                text += ","
            }
            text += "]"
        case .mapping(let entries):
            text += "{"
            for entry in entries where !keys.contains(entry.key) {
                text += JSONValue.quoted(entry.key) + ":"
                entry.value.write(into: &text, skipping: [])
                text += ","
            }
            text += "}"
        }
    }
}
