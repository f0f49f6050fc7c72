#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open descriptors (`RLIMIT_NOFILE`), which bounds how many connections
/// it can hold.
///
/// Many systems start processes with a soft limit of 1024 under a far higher hard limit; a server
/// that keeps the soft limit runs out of descriptors at about a thousand clients. When it does,
/// more than accepts fail: the runtime's own threads cannot open files either (libdispatch traps
/// when it cannot read `/proc/<tid>/stat`), so the process must never get there.
public enum OpenFileLimit {
    /// The soft and hard limits now in force.
    public static func current() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return (1024, 1024) }
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one, as nginx's `worker_rlimit_nofile` and Go's runtime
    /// do, and returns the limit in force afterwards. Only the executable calls this: it changes
    /// the whole process.
    @discardableResult
    public static func raiseSoftLimitToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return current().soft }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            _ = setrlimit(resourceNumber, &raised)
        }
        return current().soft
    }

    private static func clamp(_ value: rlim_t) -> Int {
        // RLIM_INFINITY is the largest value, so it lands here too.
        value > rlim_t(Int32.max) ? Int(Int32.max) : Int(value)
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}
