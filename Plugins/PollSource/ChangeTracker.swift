import GatewayPlugin

/// What the `poll` source emits from each successful response: the source's logic, without I/O.
///
/// - `changes`: items are matched by id between polls; a new id is `created`, a changed item
///   `updated` (its new version, or with `updated_data: patch` the RFC 7386 merge patch from the
///   previous one), a vanished id `deleted` (carrying the last version seen). The first
///   successful poll reports every item as created.
/// - `all`: every item on every poll.
/// - `body`: the whole body, when it differs from the last one.
///
/// Items are compared by their compact JSON, so whitespace and formatting changes are not
/// updates, while member order (kept by ``JSONValue``) is part of an item.
public struct ChangeTracker: Sendable {
    /// What to emit.
    public enum Mode: String, Sendable, CaseIterable {
        case changes, all, body
    }

    /// Event types for each kind of change, and for `all` and `body` events.
    public struct EventTypes: Sendable, Equatable {
        public var created = "created"
        public var updated = "updated"
        public var deleted = "deleted"
        /// The type of `all` and `body` events; `nil` for `message`.
        public var item: String? = nil

        public init(created: String = "created", updated: String = "updated", deleted: String = "deleted", item: String? = nil) {
            self.created = created
            self.updated = updated
            self.deleted = deleted
            self.item = item
        }
    }

    /// Why a response could not be used (the poll then counts as failed).
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// What an `updated` event carries (`updated_data`).
    public enum UpdatedData: String, Sendable, CaseIterable {
        /// The item's new version.
        case item
        /// The RFC 7386 merge patch from the previous version to the new one.
        case patch
    }

    let mode: Mode
    let items: JSONPath?
    let id: JSONPath?
    let types: EventTypes
    let updatedData: UpdatedData

    /// Items of the last successful poll, by id, in response order.
    private var known: [String: String] = [:]
    /// With `updated_data: patch`, the items of the last successful poll as documents.
    private var knownValues: [String: JSONValue] = [:]
    private var order: [String] = []
    private var lastBody: String?
    private var hasSucceeded = false

    /// Creates a tracker with nothing seen yet.
    /// - Parameters:
    ///   - mode: what to emit.
    ///   - items: the path to the array of items; `nil` when the body is one item.
    ///   - id: the path to each item's id; `nil` to identify items by their content.
    ///   - types: the event types.
    ///   - updatedData: what an `updated` event carries.
    public init(mode: Mode, items: JSONPath?, id: JSONPath?, types: EventTypes = EventTypes(), updatedData: UpdatedData = .item) {
        self.updatedData = updatedData
        self.mode = mode
        self.items = items
        self.id = id
        self.types = types
    }

    /// The events a successful response's body produces, plus the number of items skipped
    /// because they had no id; a ``Failure`` when the body does not have the expected shape
    /// (then nothing changes, so no item is reported deleted).
    public mutating func update(with body: JSONValue) -> Result<(events: [Event], itemsWithoutID: Int), Failure> {
        if mode == .body {
            let text = body.serialized
            defer { lastBody = text }
            return .success((text == lastBody ? [] : [Event(event: types.item, data: text)], 0))
        }
        let list: [JSONValue]
        if let items {
            guard let found = items.lookup(in: body) else {
                return .failure(Failure(description: "the response has nothing at '\(items)'"))
            }
            guard let array = found.array else {
                return .failure(Failure(description: "'\(items)' in the response is not a list"))
            }
            list = array
        } else {
            list = [body]
        }

        var current: [(id: String, json: String, value: JSONValue)] = []
        var seen = Set<String>()
        var withoutID = 0
        for item in list {
            let json = item.serialized
            let key: String
            if let id {
                guard let value = id.lookup(in: item), value != .null else {
                    withoutID += 1
                    continue
                }
                key = value.text
            } else {
                key = json
            }
            // A repeated id keeps its first occurrence, so one poll never reports an id twice.
            if seen.insert(key).inserted { current.append((key, json, item)) }
        }

        if mode == .all {
            hasSucceeded = true
            return .success((current.map { Event(event: types.item, data: $0.json) }, withoutID))
        }

        var events: [Event] = []
        for (key, json, value) in current {
            if let previous = known[key] {
                if previous != json, hasSucceeded {
                    let data = knownValues[key].map { JSONValue.mergePatch(from: $0, to: value).serialized } ?? json
                    events.append(Event(event: types.updated, data: data))
                }
            } else {
                events.append(Event(event: types.created, data: json))
            }
        }
        if hasSucceeded {
            for key in order where !seen.contains(key) {
                if let last = known[key] { events.append(Event(event: types.deleted, data: last)) }
            }
        }
        known = Dictionary(current.map { ($0.id, $0.json) }, uniquingKeysWith: { first, _ in first })
        if updatedData == .patch { knownValues = Dictionary(current.map { ($0.id, $0.value) }, uniquingKeysWith: { first, _ in first }) }
        order = current.map(\.id)
        hasSucceeded = true
        return .success((events, withoutID))
    }
}
