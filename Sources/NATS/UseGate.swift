#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the calls using a libnats object, so that it is destroyed only once none runs.
///
/// libnats forbids destroying a JetStream context while a call uses it; ``close()`` refuses new
/// calls at once and returns once the running ones have returned. (A pthread mutex and
/// condition, which ThreadSanitizer sees.)
final class UseGate: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let idle = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var active = 0
    private var closed = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(idle, nil)
    }

    deinit {
        pthread_cond_destroy(idle)
        pthread_mutex_destroy(mutex)
        idle.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` unless the gate is closed; returns `nil` (without running it) when it is.
    func use<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T? {
        pthread_mutex_lock(mutex)
        guard !closed else {
            pthread_mutex_unlock(mutex)
            return nil
        }
        active += 1
        pthread_mutex_unlock(mutex)
        defer {
            pthread_mutex_lock(mutex)
            active -= 1
            if active == 0 { pthread_cond_broadcast(idle) }
            pthread_mutex_unlock(mutex)
        }
        return try body()
    }

    var isClosed: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return closed
    }

    /// Closes the gate; returns `true` the first time, once no call runs any more.
    func close() -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !closed else { return false }
        closed = true
        while active > 0 { pthread_cond_wait(idle, mutex) }
        return true
    }
}
