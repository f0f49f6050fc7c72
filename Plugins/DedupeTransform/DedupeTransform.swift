import GatewayPlugin

/// `- dedupe: { by: id, window: 10000, ttl: 10m }` — drops an event whose key was seen recently.
///
/// The last `window` keys are remembered, the least recently seen forgotten first (a duplicate
/// counts as seen, so a key that keeps coming back stays remembered). With `ttl`, a key lets an
/// event through again once `ttl` has passed since it last let one through — at most one event
/// per key per `ttl`. Events without the key (no id, non-JSON data, a missing path) pass.
public final class DedupeTransform: Transform {
    /// The key: `id`, `data` or `data.PATH`.
    let by: EventField
    let ttl: Duration?
    private let now: @Sendable () -> ContinuousClock.Instant
    private var recent: RecentKeys<DedupeKey, ContinuousClock.Instant>

    init(by: EventField, window: Int, ttl: Duration?, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.by = by
        self.ttl = ttl
        self.now = now
        self.recent = RecentKeys(capacity: window)
    }

    /// The plugin entry for the registry.
    public static let plugin = TransformPlugin(name: "dedupe", summary: "drops events whose key was seen recently", options: options) {
        prepare($0, now: { .now })
    }

    /// The options `prepare` reads: what `gateway plugins dedupe` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec("by", .string, default: "id", "`id`, `data` (the whole payload) or `data.PATH`"),
        OptionSpec(
            "window", .int(1...10_000_000), default: "10000",
            "keys remembered; the least recently seen is forgotten first (a repeat counts as seen)"),
        OptionSpec(
            "ttl", .duration(minimum: .milliseconds(1)),
            "a key lets an event through again once `ttl` has passed since it last let one through"),
    ]

    static func prepare(_ options: OptionsReader, now: @escaping @Sendable () -> ContinuousClock.Instant) -> TransformFactory? {
        let byText = options.string("by", default: "id")
        let window = options.int("window", default: 10_000, in: 1...10_000_000)
        let ttl = options.duration("ttl", minimum: .milliseconds(1))
        let by = byText.flatMap(EventField.init).flatMap { $0 == .event ? nil : $0 }
        if by == nil, let byText {
            options.report("'by' must be id, data or data.PATH (like data.order.id), found '\(byText)'", at: options.node("by")?.location)
        }
        guard let by, let window, options.isValid else { return nil }
        let ttlText = ttl.map { ", ttl \(Units.describe($0))" } ?? ""
        return TransformFactory(summary: "dedupe by \(by), window \(window)\(ttlText)") {
            DedupeTransform(by: by, window: window, ttl: ttl, now: now)
        }
    }

    public func process(_ event: Event, into output: inout [Event]) {
        guard let key = by.key(of: event).map(DedupeKey.init) else {
            output.append(event)
            return
        }
        let instant = now()
        if let admitted = recent.touch(key) {
            guard let ttl, instant - admitted >= ttl else { return }
        }
        recent.admit(key, at: instant)
        output.append(event)
    }
}
