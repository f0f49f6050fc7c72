/// Lets a repeated log line through at most once per interval and counts the ones held back,
/// so an upstream that fails many times a second costs one line per interval, not one per
/// failure (each failure is still counted in the metrics).
struct LogLimiter: Sendable {
    let interval: Duration
    private var lastLogged: ContinuousClock.Instant?
    private var held = 0

    init(interval: Duration) { self.interval = interval }

    /// Whether to log now; when yes, how many lines were held back since the last one.
    mutating func admit(at now: ContinuousClock.Instant) -> Int? {
        if let lastLogged, now - lastLogged < interval {
            held += 1
            return nil
        }
        lastLogged = now
        defer { held = 0 }
        return held
    }
}
