import GatewayPlugin
import NIOConcurrencyHelpers

/// `- throttle: { per: data.symbol, interval: 1s }` — at most one event per key per interval,
/// the latest one (conflation).
///
/// Events are held, and at the end of each interval the latest event of every key that
/// received one is sent, keys in the order they first arrived in that interval. A key that
/// received nothing sends nothing: the throttle never repeats an earlier event. Intervals are
/// counted from the endpoint's start on its executor's steady clock, so they do not drift.
///
/// `per` picks the key: `data.PATH` (a field of the JSON data), `id`, `event` (the type), or
/// nothing for one key shared by every event. An event that has no key — no id, data that is
/// not JSON, a missing path — is not throttled: it passes at once.
///
/// At most `max_keys` keys are held per interval; an event with a new key beyond that passes
/// at once, so memory stays bounded whatever the input.
public final class ThrottleTransform: Transform, Sendable {
    let key: ThrottleKey
    let interval: Duration
    let maxKeys: Int
    private let state = NIOLockedValueBox(State())

    /// What `process` and the timer share.
    private struct State {
        /// The latest event of each key, in first-arrival order.
        var pending: [Event] = []
        /// Key → index into `pending`.
        var slots: [String: Int] = [:]
        var context: TransformContext?
        var stopped = false
    }

    init(key: ThrottleKey, interval: Duration, maxKeys: Int) {
        self.key = key
        self.interval = interval
        self.maxKeys = maxKeys
    }

    /// The plugin entry for the registry.
    public static let plugin = TransformPlugin(
        name: "throttle", summary: "sends at most the latest event per key per interval (conflation)", options: options
    ) { prepare($0) }

    /// The options `prepare` reads: what `gateway plugins throttle` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec(
            "per", .string, default: .none(meaning: "one key for every event"),
            "what makes two events \"the same thing\": `data.PATH` (a field of the JSON data, like `data.symbol` or "
                + "`data.items[0].id`), `id` (the event id) or `event` (the type; `message` when none)"),
        OptionSpec("interval", .duration(minimum: .milliseconds(1)), default: "1s", "the length of an interval"),
        OptionSpec(
            "max_keys", .int(1...10_000_000), default: "10000",
            "keys held in one interval; an event with a new key beyond it passes at once (memory stays bounded)"),
    ]

    static func prepare(_ options: OptionsReader) -> TransformFactory? {
        let key = ThrottleKey.read(options)
        let interval = options.duration("interval", default: .seconds(1), minimum: .milliseconds(1))
        let maxKeys = options.int("max_keys", default: 10_000, in: 1...10_000_000)
        guard let key, let interval, let maxKeys, options.isValid else { return nil }
        let per = key == .all ? "" : " per \(key)"
        return TransformFactory(summary: "throttle\(per), latest every \(Units.describe(interval))") {
            ThrottleTransform(key: key, interval: interval, maxKeys: maxKeys)
        }
    }

    public func process(_ event: Event, into output: inout [Event]) {
        guard let key = key.key(of: event) else {
            output.append(event)
            return
        }
        let held = state.withLockedValue { state -> Bool in
            if let slot = state.slots[key] {
                // Conflation: the newer event replaces the held one, which is counted as dropped.
                state.pending[slot] = event
                state.context?.dropped(reason: "throttled")
                return true
            }
            guard state.slots.count < maxKeys, !state.stopped else { return false }
            state.slots[key] = state.pending.count
            state.pending.append(event)
            return true
        }
        if !held { output.append(event) }
    }

    /// Held events leave at the end of the interval, so an empty result is not a drop.
    public var holdsEvents: Bool { true }

    /// Starts the interval timer, on the endpoint's executor; each tick sends what is held
    /// through `context`.
    public func start(_ context: TransformContext) {
        // The context is in place before the timer can first fire.
        state.withLockedValue { $0.context = context }
        context.repeatEvery(interval) { [weak self] in self?.tick() }
    }

    /// Stops sending. Events still held are discarded: the endpoint is shutting down (its
    /// executor stops the timer).
    public func stop() {
        state.withLockedValue { state in
            state.stopped = true
            state.pending.removeAll()
            state.slots.removeAll()
            state.context = nil
        }
    }

    /// Ends the current interval: sends the held events, in first-arrival order of their keys.
    ///
    /// The timer calls it; tests call it directly to step time by hand.
    func tick() {
        let (events, context) = takePending()
        // Emitting outside the lock: `emit` feeds the steps after this one and must never wait
        // on a lock that `process` holds.
        if let context, !events.isEmpty { context.emit(events) }
    }

    /// The held events, leaving none held, and the context to send them through.
    func takePending() -> ([Event], TransformContext?) {
        state.withLockedValue { state in
            guard !state.pending.isEmpty else { return ([], state.context) }
            let events = state.pending
            state.pending.removeAll(keepingCapacity: true)
            state.slots.removeAll(keepingCapacity: true)
            return (events, state.context)
        }
    }
}
