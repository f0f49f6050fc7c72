import GatewayPlugin

/// The events of one publish request's body, or why none of them is accepted.
///
/// A request is all or nothing: the first malformed item rejects the whole body, and the
/// problem names where it is, so a publisher can fix it and post again without duplicating
/// what came before. The formats (SPEC §7):
///
/// - `application/json`: one object `{"event", "id", "data"}` or an array of them. `data` is
///   required and may be any JSON value: a string is sent as it is, anything else as compact
///   JSON. `event` and `id` are strings (a number id is taken as written); other keys are
///   refused, so a typo (`"evnt"`) is not silently a `message`.
/// - `application/x-ndjson` (or `application/jsonl`): one such object per line; blank lines
///   are skipped.
/// - `text/event-stream`: SSE text, read by the gateway's SSE parser. Unlike a browser, an
///   event without an `id:` line gets no id (not the previous event's), and the body's end
///   ends its last event.
/// - `application/x-www-form-urlencoded`: one event from the fields `data`, `event` (or
///   `type`) and `id`, as Mercure publishers post; Mercure's `topic`, `private` and `retry`
///   are accepted and ignored.
public enum PublishBody {
    /// Why a body was refused: the status and a message naming the first bad item.
    public struct Problem: Error, Equatable {
        /// `400` (malformed) or `415` (a content type not read here).
        public var status: Int
        public var message: String
        /// Where the first bad item is: `index` (0-based, in an array or among SSE events) or
        /// `line` (1-based, NDJSON); `nil` when the problem is the body as a whole.
        public var position: (key: String, value: Int)?

        public static func == (lhs: Problem, rhs: Problem) -> Bool {
            lhs.status == rhs.status && lhs.message == rhs.message && lhs.position?.key == rhs.position?.key
                && lhs.position?.value == rhs.position?.value
        }

        static func malformed(_ message: String, _ position: (key: String, value: Int)? = nil) -> Problem {
            Problem(status: 400, message: message, position: position)
        }
    }

    /// Why one item is not an event.
    struct ItemProblem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// What ends a line in SSE (CR, LF, or both): the one thing an id or a type may not hold,
    /// as it would end its field on the wire.
    static func isLineBreak(_ character: Character) -> Bool {
        character.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
    }

    /// The content types read, for the `415` message.
    public static let acceptedTypes = [
        "application/json", "application/x-ndjson", "text/event-stream", "application/x-www-form-urlencoded",
    ]

    /// The events of `body`, each at most `maxEventSize` bytes of data.
    public static func events(contentType: String?, body: [UInt8], maxEventSize: Int) -> Result<[Event], Problem> {
        let mediaType = contentType.map(Self.mediaType) ?? ""
        switch mediaType {
        case "application/json":
            return text(body).flatMap { json($0, maxEventSize: maxEventSize) }
        case "application/x-ndjson", "application/jsonl":
            return text(body).flatMap { ndjson($0, maxEventSize: maxEventSize) }
        case "text/event-stream":
            return sse(body, maxEventSize: maxEventSize)
        case "application/x-www-form-urlencoded":
            return text(body).flatMap { form($0, maxEventSize: maxEventSize) }
        case "":
            return .failure(Problem(status: 415, message: "a publish needs a Content-Type: one of \(acceptedTypes.joined(separator: ", "))"))
        default:
            return .failure(
                Problem(status: 415, message: "Content-Type '\(mediaType)' is not read here; use one of \(acceptedTypes.joined(separator: ", "))"))
        }
    }

    private static func tooLarge(_ event: Event, maxEventSize: Int) -> String? {
        let size = event.data.utf8.count
        guard size > maxEventSize else { return nil }
        return "the event has \(size) bytes of data, over the source's max_event_size (\(maxEventSize))"
    }

    /// `Application/JSON; charset=utf-8` → `application/json`.
    static func mediaType(_ header: String) -> String {
        let essence = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(essence.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()).lowercased()
    }

    private static func text(_ body: [UInt8]) -> Result<String, Problem> {
        guard let text = String(validating: body, as: UTF8.self) else {
            return .failure(.malformed("the body is not valid UTF-8"))
        }
        return .success(text)
    }

    // MARK: JSON

    private static func json(_ text: String, maxEventSize: Int) -> Result<[Event], Problem> {
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            return .failure(.malformed("\(error)"))
        }
        switch document {
        case .object:
            return event(from: document, maxEventSize: maxEventSize).map { [$0] }.mapError { Problem.malformed($0.reason) }
        case .array(let items):
            var events: [Event] = []
            events.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                switch event(from: item, maxEventSize: maxEventSize) {
                case .success(let event): events.append(event)
                case .failure(let problem): return .failure(.malformed("item \(index): \(problem.reason)", ("index", index)))
                }
            }
            return .success(events)
        default:
            return .failure(.malformed("the body must be an event object or an array of them, found \(kind(of: document))"))
        }
    }

    private static func ndjson(_ text: String, maxEventSize: Int) -> Result<[Event], Problem> {
        var events: [Event] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let item: JSONValue
            do {
                item = try JSONValue.parse(String(trimmed))
            } catch {
                return .failure(.malformed("line \(lineNumber): \(error)", ("line", lineNumber)))
            }
            switch event(from: item, maxEventSize: maxEventSize) {
            case .success(let event): events.append(event)
            case .failure(let problem): return .failure(.malformed("line \(lineNumber): \(problem.reason)", ("line", lineNumber)))
            }
        }
        return .success(events)
    }

    /// One `{"event", "id", "data"}` object, or why it is not one.
    private static func event(from item: JSONValue, maxEventSize: Int) -> Result<Event, ItemProblem> {
        guard case .object(let members) = item else {
            return .failure(ItemProblem("an event must be an object with 'data' (and 'event', 'id'), found \(kind(of: item))"))
        }
        var event = Event(data: "")
        var hasData = false
        for member in members {
            switch member.key {
            case "data":
                hasData = true
                event.data = member.value.string ?? member.value.serialized
            case "event", "type":
                guard let type = member.value.string, !type.isEmpty, !type.contains(where: isLineBreak) else {
                    return .failure(ItemProblem("'\(member.key)' must be a non-empty single-line string, found \(kind(of: member.value))"))
                }
                event.event = type
            case "id":
                switch member.value {
                case .string(let id) where !id.contains(where: { isLineBreak($0) || $0 == "\0" }):
                    event.id = id.isEmpty ? nil : id
                case .number(let text):
                    event.id = text
                case .null:
                    event.id = nil
                default:
                    return .failure(ItemProblem("'id' must be a single-line string or a number, found \(kind(of: member.value))"))
                }
            default:
                let hint = Suggestion.hint(for: member.key, among: ["data", "event", "id"])
                return .failure(ItemProblem("unknown key '\(member.key)'.\(hint) An event has 'data', 'event' and 'id'"))
            }
        }
        guard hasData else { return .failure(ItemProblem("an event needs 'data'")) }
        if let problem = tooLarge(event, maxEventSize: maxEventSize) { return .failure(ItemProblem(problem)) }
        return .success(event)
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    // MARK: SSE

    private static func sse(_ body: [UInt8], maxEventSize: Int) -> Result<[Event], Problem> {
        // Room for the largest event's data: the size check above reports it with its place
        // rather than the parser skipping it unseen.
        var parser = SSEParser(maxEventSize: max(maxEventSize, body.count))
        var events: [Event] = []
        var previousID: String?
        let output: (SSEParserOutput) -> Void = { output in
            guard case .event(var event) = output else { return }
            // A browser carries the last id over to events without one; a publisher that
            // gives an id to one event means that event.
            let id = event.id
            if id == previousID { event.id = nil }
            previousID = id
            events.append(event)
        }
        parser.parse(body, output)
        // The end of the body ends its last event.
        parser.parse([UInt8(ascii: "\n"), UInt8(ascii: "\n")], output)
        for (index, event) in events.enumerated() {
            if let problem = tooLarge(event, maxEventSize: maxEventSize) { return .failure(.malformed("event \(index): \(problem)", ("index", index))) }
        }
        return .success(events)
    }

    // MARK: Forms

    private static func form(_ text: String, maxEventSize: Int) -> Result<[Event], Problem> {
        guard let fields = FormFields(text) else {
            return .failure(.malformed("the form is not valid application/x-www-form-urlencoded (a bad %-escape?)"))
        }
        var data: [String] = []
        var event = Event(data: "")
        for (name, value) in fields.pairs {
            switch name {
            case "data": data.append(value)
            case "event", "type":
                guard !value.isEmpty, !value.contains(where: isLineBreak) else {
                    return .failure(.malformed("'\(name)' must be a non-empty single-line string"))
                }
                event.event = value
            case "id":
                guard !value.contains(where: { isLineBreak($0) || $0 == "\0" }) else {
                    return .failure(.malformed("'id' must be a single line"))
                }
                event.id = value.isEmpty ? nil : value
            case "topic", "private", "retry":
                continue
            default:
                let hint = Suggestion.hint(for: name, among: ["data", "event", "type", "id"])
                return .failure(.malformed("unknown field '\(name)'.\(hint) A form post has 'data', 'event' (or 'type') and 'id'"))
            }
        }
        guard !data.isEmpty else { return .failure(.malformed("a form post needs a 'data' field")) }
        // Several `data` fields are several lines, as several `data:` lines are in SSE.
        event.data = data.joined(separator: "\n")
        if let problem = tooLarge(event, maxEventSize: maxEventSize) { return .failure(.malformed(problem)) }
        return .success([event])
    }
}
