import GatewayPlugin

/// `- rename: { old: new, … }` — renames event types; other events pass unchanged.
///
/// `message` names the default type on either side: `{ message: tick }` types untyped events,
/// `{ tick: message }` makes them untyped.
public final class RenameTransform: Transform {
    let renames: [String: String]

    init(renames: [String: String]) { self.renames = renames }

    /// The plugin entry for the registry.
    public static let plugin = TransformPlugin(name: "rename", summary: "renames event types", options: options) { options in
        var renames: [String: String] = [:]
        var pairs: [String] = []
        // A value that is not a map has already been reported by the reader.
        guard options.node.mapping != nil else { return nil }
        for entry in options.entries() {
            guard let new = entry.value.scalar, !new.isEmpty, !new.contains(where: \.isNewline) else {
                options.report("'rename.\(entry.key)' must be a new event type (one line of text)", at: entry.value.location)
                continue
            }
            if entry.key.isEmpty || entry.key.contains(where: \.isNewline) {
                options.report("an event type must be one line of text", at: entry.keyLocation)
                continue
            }
            renames[entry.key] = new
            pairs.append("\(entry.key) → \(new)")
        }
        guard options.isValid, !renames.isEmpty else {
            if options.isValid { options.report("'rename' needs at least one pair old: new") }
            return nil
        }
        let table = renames
        return TransformFactory(summary: "rename " + pairs.joined(separator: ", ")) { RenameTransform(renames: table) }
    }

    /// The options, for `gateway plugins rename` and the README: each key is an event type (data,
    /// taken whole with ``OptionsReader/entries()``).
    public static let options = [OptionSpec("OLD", .string, default: .required, "`OLD: NEW` renames events of type `OLD` to `NEW` (at least one pair)")]

    public func process(_ event: Event, into output: inout [Event]) {
        guard let new = renames[event.event ?? "message"] else {
            output.append(event)
            return
        }
        var renamed = event
        renamed.event = new == "message" ? nil : new
        output.append(renamed)
    }
}
