import GatewayPlugin

/// `type: generate` — synthetic events on a timer, for offline demos and tests.
///
/// Every `interval` it renders `data` (and `id`, when set) from a ``Template`` and emits one
/// event of type `event`. Ticks are scheduled from the start time, so a slow tick does not
/// push every later one back. With `count`, it stops after that many events.
public struct GenerateSource: Source {
    /// Time between events.
    public let interval: Duration
    /// The event type, or `nil` for `message`.
    public let event: String?
    let data: Template
    let id: Template?
    /// How many events to emit before finishing; `nil` for no end.
    public let count: Int?

    /// The plugin entry for the registry.
    public static let plugin = SourcePlugin(type: "generate", summary: "synthetic events on a timer (offline demos, tests)", options: options) {
        options in GenerateSource(options: options)
    }

    /// The options `init?(options:)` reads: what `gateway plugins generate` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec(
            "interval", .duration(minimum: .milliseconds(1)), default: "1s",
            "time between events (ticks are scheduled from the start, so they do not drift)"),
        OptionSpec("event", .string, default: .none(meaning: "`message`"), "the event type"),
        OptionSpec("data", .string, default: "{{seq}}", "the data template"),
        OptionSpec("id", .string, "an id template (most endpoints number events themselves, see `ids`)"),
        OptionSpec("count", .int(1...Int.max), "stop after this many events"),
    ]

    init?(options: OptionsReader) {
        let interval = options.duration("interval", default: .seconds(1), minimum: .milliseconds(1))
        let event = options.string("event")
        let data = Self.template(options, key: "data", default: "{{seq}}")
        let id = options.node("id") == nil ? nil : Self.template(options, key: "id")
        let count = options.int("count", in: 1...Int.max)
        guard options.isValid, let interval, let data else { return nil }
        self.interval = interval
        self.event = event
        self.data = data
        self.id = id
        self.count = count
    }

    private static func template(_ options: OptionsReader, key: String, default defaultText: String? = nil) -> Template? {
        guard let text = options.string(key, default: defaultText) else { return nil }
        do {
            return try Template(parsing: text)
        } catch {
            options.report("'\(key)': \(error.message)", at: options.node(key)?.location)
            return nil
        }
    }

    public var summary: String {
        let type = event ?? "message"
        let limit = count.map { ", \($0) events" } ?? ""
        return "'\(type)' every \(Units.describe(interval))\(limit)"
    }

    public func run(_ context: SourceContext) async throws -> SourceCompletion {
        let clock = ContinuousClock()
        let start = clock.now
        var generator = SystemRandomNumberGenerator()
        context.output.markReady()
        var sequence = 0
        while !Task.isCancelled {
            if let count, sequence >= count { return .finished }
            sequence += 1
            let data = self.data.render(sequence: sequence, using: &generator)
            if data.utf8.count > context.maxEventSize {
                context.output.dropped(reason: "too_large")
            } else {
                let id = self.id?.render(sequence: sequence, using: &generator)
                context.output.emit(Event(id: id, event: event, data: data))
            }
            try await Task.sleep(until: start + interval * sequence, clock: clock)
        }
        return .finished
    }
}
