import GatewayPlugin

/// `- redact: { fields: [data.user.email, data.card.number], mask: "***" }` — removes fields
/// from JSON event data, or masks them.
///
/// Each entry of `fields` is a `data.PATH` (`data.user.email`, `data.cards[0].number`). With
/// `mask`, a field that is present gets that string as its value; without, it is removed.
/// Data that is not JSON, and events lacking every field, pass unchanged (their data is not
/// even rewritten); changed data is written back as compact JSON.
public final class Redact: Transform {
    let paths: [JSONPath]
    let mask: String?

    init(paths: [JSONPath], mask: String?) {
        self.paths = paths
        self.mask = mask
    }

    /// The options, declared once: `custom-gateway plugins redact` prints them, any other key is
    /// reported as unknown, and each read below is checked against them (see RedactTests).
    public static let options: [OptionSpec] = [
        OptionSpec("fields", .stringList, default: .required, "the fields to redact, each a `data.PATH` (like `data.user.email`)"),
        OptionSpec("mask", .string, default: .none(meaning: "remove the field"), "the string a present field is replaced with"),
    ]

    /// The plugin entry: the step's name in a pipeline, its options and how to read them.
    public static let plugin = TransformPlugin(name: "redact", summary: "removes or masks fields of JSON data", options: options) { options in
        // Read every option first, so that `gateway check` lists every mistake in one run.
        let fields = options.stringList("fields")
        let mask = options.string("mask")
        var paths: [JSONPath] = []
        if let fields {
            if fields.isEmpty { options.report("'fields' must name at least one data.PATH", at: options.node("fields")?.location) }
            let elements = options.node("fields")?.sequence
            for (index, field) in fields.enumerated() {
                if field.hasPrefix("data."), let path = JSONPath(String(field.dropFirst(5))), !path.components.isEmpty {
                    paths.append(path)
                } else {
                    // Point at the list element itself, so the message names its line and column.
                    let location = elements?[index].location ?? options.node("fields")?.location
                    options.report("'fields' entries must be data.PATH (like data.user.email), found '\(field)'", at: location)
                }
            }
        } else if options.node("fields") == nil {
            options.report("\(options.context) needs 'fields', a list of data.PATH to redact")
        }
        guard options.isValid else { return nil }
        let how = mask.map { "mask with '\($0)'" } ?? "remove"
        let summary = "redact \(fields?.joined(separator: ", ") ?? "") (\(how))"
        return TransformFactory(summary: summary) { [paths] in Redact(paths: paths, mask: mask) }
    }

    public func process(_ event: Event, into output: inout [Event]) {
        guard var document = try? JSONValue.parse(event.data) else {
            output.append(event)
            return
        }
        var changed = false
        for path in paths {
            changed = Self.redact(&document, at: path.components[...], mask: mask) || changed
        }
        guard changed else {
            output.append(event)
            return
        }
        var redacted = event
        redacted.data = document.serialized
        output.append(redacted)
    }

    /// Removes (or masks) the value at `path` inside `value`; whether anything was there.
    static func redact(_ value: inout JSONValue, at path: ArraySlice<JSONPath.Component>, mask: String?) -> Bool {
        guard let first = path.first else { return false }
        let rest = path.dropFirst()
        switch (first, value) {
        case (.key(let key), .object(var members)):
            // Every member with the key: a duplicated key must not leak its other copy.
            var found = false
            if rest.isEmpty {
                if let mask {
                    for index in members.indices where members[index].key == key {
                        members[index].value = .string(mask)
                        found = true
                    }
                } else {
                    let before = members.count
                    members.removeAll { $0.key == key }
                    found = members.count != before
                }
            } else {
                for index in members.indices where members[index].key == key {
                    found = redact(&members[index].value, at: rest, mask: mask) || found
                }
            }
            value = .object(members)
            return found
        case (.index(let index), .array(var elements)) where elements.indices.contains(index):
            if rest.isEmpty {
                // Removing would shift the others; an array element is always masked (null without `mask`).
                elements[index] = mask.map(JSONValue.string) ?? .null
                value = .array(elements)
                return true
            }
            let found = redact(&elements[index], at: rest, mask: mask)
            value = .array(elements)
            return found
        default:
            return false
        }
    }
}
