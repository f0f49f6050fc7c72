/// Reconnection delays: exponential backoff with full jitter, capped at a maximum.
///
/// The n-th consecutive failure waits a random time between zero and
/// `min(maximum, initial × 2ⁿ)` ("full jitter"), so that many gateways that lost the same
/// upstream do not come back in step. A healthy stream resets the count; the server's
/// `retry:` replaces `initial`. No delay is shorter than ``floor``: an upstream that sends
/// `retry: 0` and closes at once is not reconnected in a tight loop.
public struct Backoff: Sendable {
    /// The shortest delay between two connections, whatever `retry:` or `reconnect.initial` say.
    public static let floor: Duration = .milliseconds(100)

    /// The ceiling of the first delay: `reconnect.initial`, or the server's `retry:` once sent.
    public var initial: Duration
    /// The largest delay, and the delay used for failures that retrying soon cannot fix.
    public let maximum: Duration
    /// Failures since the last healthy stream.
    public private(set) var failures = 0
    /// Picks a delay in `0...ceiling`; random by default, fixed in tests.
    let jitter: @Sendable (Duration) -> Duration

    /// Creates a backoff.
    /// - Parameters:
    ///   - initial: the ceiling of the first delay.
    ///   - maximum: the cap.
    ///   - jitter: picks a delay in `0...ceiling`; ``fullJitter(_:)`` by default.
    public init(initial: Duration, maximum: Duration, jitter: @escaping @Sendable (Duration) -> Duration = Backoff.fullJitter) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The ceiling of the next delay.
    public var ceiling: Duration {
        var ceiling = initial
        for _ in 0..<min(failures, 62) where ceiling < maximum { ceiling *= 2 }
        return min(ceiling, maximum)
    }

    /// The delay before the next attempt, counting one more failure.
    public mutating func nextDelay() -> Duration {
        let delay = max(Self.floor, jitter(ceiling))
        failures += 1
        return delay
    }

    /// Starts over after a healthy stream.
    public mutating func reset() { failures = 0 }

    /// A uniformly random duration in `0...ceiling`, to the millisecond.
    @Sendable public static func fullJitter(_ ceiling: Duration) -> Duration {
        let milliseconds = max(0, ceiling.components.seconds * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000)
        return .milliseconds(Int64.random(in: 0...milliseconds))
    }
}
