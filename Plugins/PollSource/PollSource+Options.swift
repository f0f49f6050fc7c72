import GatewayPlugin

extension PollSource {
    /// The options `init?(options:)` reads: what `gateway plugins poll` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec("url", .string, default: .required, "the API's URL, `http://` or `https://`"),
        OptionSpec(
            "interval", .duration(minimum: .milliseconds(10)), default: "5s",
            "from the **start** of one poll to the start of the next. Polls never overlap: a poll slower than the interval "
                + "is followed by the next one at once"),
        OptionSpec("method", .choice(["GET", "POST", "PUT", "PATCH"]), default: "GET", "`POST`, `PUT` or `PATCH` to send `body`"),
        OptionSpec(
            "body", .string, "the request body (sent as `Content-Type: application/json` unless `headers` says otherwise)"),
        OptionSpec("headers", .stringMap, "extra request headers"),
        OptionSpec("timeout", .duration(minimum: .milliseconds(1)), default: "10s", "the longest one poll may take, connection included"),
        OptionSpec(
            "items", .string, default: .none(meaning: "the whole body"),
            "the path of the list of items: `data.tickets`, `results[0].rows`, `[\"odd.key\"]`"),
        OptionSpec(
            "id", .string, default: .none(meaning: "the item's content"), "the path of each item's id within it (a string or number)"),
        OptionSpec(
            "emit", .choice(ChangeTracker.Mode.allCases.map(\.rawValue)), default: "changes",
            "what to emit: `changes` (items created, updated or deleted since the last poll), `all` (every item on every poll) "
                + "or `body` (the whole body when it changes); see below"),
        OptionSpec(
            "updated_data", .choice(ChangeTracker.UpdatedData.allCases.map(\.rawValue)), default: "item",
            "with `emit: changes`, what an `updated` event carries: `item` (the new version) or `patch` (the RFC 7386 JSON "
                + "merge patch from the previous version)"),
        OptionSpec(
            "types",
            [
                OptionSpec("created", .string, default: "created", "the event type of a new item"),
                OptionSpec("updated", .string, default: "updated", "the event type of a changed item"),
                OptionSpec("deleted", .string, default: "deleted", "the event type of an item that disappeared"),
            ]),
        OptionSpec("event", .string, default: .none(meaning: "`message`"), "the event type of `emit: all` and `emit: body` events"),
    ]
}
