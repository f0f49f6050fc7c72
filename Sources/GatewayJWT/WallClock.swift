#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The time of day, which `exp` and `nbf` are measured against (not a monotonic clock: a
/// token's times are dates).
public enum WallClock {
    /// Seconds since 1970-01-01 UTC, with the nanoseconds as the fraction.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
    }
}
