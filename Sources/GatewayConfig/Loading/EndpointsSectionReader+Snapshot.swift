import GatewayPlugin

extension EndpointsSectionReader {
    static let defaultMaxKeys = 100_000
    static let defaultEndEvent = "snapshot-end"

    /// `snapshot: {key, delete_on, max_keys, end_event}`: `nil` on error, `.some(nil)` when absent.
    func readSnapshot(_ options: OptionsReader) -> SnapshotConfig?? {
        guard let snapshot = options.nested("snapshot") else { return .some(nil) }
        defer { snapshot.finish() }
        // Not a map: `nested` has said so.
        guard snapshot.node.mapping != nil else { return nil }
        let keyNode = snapshot.node("key")
        let deleteOn = snapshot.node("delete_on") == nil ? [] : snapshot.stringList("delete_on")
        let maxKeys = snapshot.int("max_keys", default: Self.defaultMaxKeys, in: 1...100_000_000)
        let endEvent = readEndEvent(snapshot)
        guard let keyNode else {
            snapshot.report("'snapshot' needs 'key', what names each event's key: id, event or data.PATH (like data.id)")
            return nil
        }
        guard let text = keyNode.scalar, text != "data", let key = EventField(text) else {
            snapshot.report("'key' must be id, event or data.PATH (like data.id), found \(keyNode.describedForMessage)", at: keyNode.location)
            return nil
        }
        if let deleteOn, deleteOn.contains(where: { $0.isEmpty || $0.contains(where: \.isNewline) }) {
            snapshot.report("'delete_on' lists event types: non-empty, one line each", at: snapshot.node["delete_on"]?.location)
            return nil
        }
        guard snapshot.isValid, let deleteOn, let maxKeys, let endEvent else { return nil }
        return .some(SnapshotConfig(key: key, deleteOn: deleteOn, maxKeys: maxKeys, endEvent: endEvent))
    }

    /// `end_event: TYPE | false` (default `snapshot-end`): `nil` on error, `.some(nil)` for `false`.
    private func readEndEvent(_ options: OptionsReader) -> String?? {
        guard let node = options.node("end_event") else { return .some(Self.defaultEndEvent) }
        if node.scalar == "false" { return .some(nil) }
        guard let text = node.scalar, !text.isEmpty, !text.contains(where: \.isNewline) else {
            options.report("'end_event' must be an event type or false, found \(node.describedForMessage)", at: node.location)
            return nil
        }
        return .some(text)
    }
}
