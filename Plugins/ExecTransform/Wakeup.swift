#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe that wakes a thread blocked in `poll(2)`: one end is in the poll set, the other is
/// written to. Both ends are non-blocking, so ringing never blocks (a full pipe is already
/// readable) and draining stops when it is empty.
struct Wakeup: Sendable {
    let pipe: Pipe

    static func make() -> Wakeup? {
        (try? Pipe.make(flags: O_NONBLOCK)).map(Wakeup.init(pipe:))
    }

    /// The end to poll for `POLLIN`.
    var readFD: Int32 { pipe.read }

    /// Makes `readFD` readable.
    func ring() {
        var byte: UInt8 = 1
        _ = write(pipe.write, &byte, 1)
    }

    /// Empties the pipe, so that `readFD` blocks again until the next ring.
    func drain() {
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &bytes, { read(pipe.read, $0.baseAddress, $0.count) }) > 0 {}
    }

    func close() { pipe.closeBoth() }
}

/// Waits until `fd` is ready for `events` or `wakeup` rings; `false` when the wakeup rang.
/// A `timeout` in milliseconds (-1: none) returns `true` when it expires.
func waitFor(_ fd: Int32, _ events: Int16, orWakeup wakeup: Wakeup, timeout: Int32 = -1) -> Bool {
    var fds = [pollfd(fd: wakeup.readFD, events: Int16(POLLIN), revents: 0), pollfd(fd: fd, events: events, revents: 0)]
    while true {
        let result = poll(&fds, nfds_t(fd >= 0 ? 2 : 1), timeout)
        if result < 0 && errno == EINTR { continue }
        return fds[0].revents == 0
    }
}

/// Sleeps for `duration`, or until `wakeup` rings; `false` when it rang.
func sleep(for duration: Duration, orWakeup wakeup: Wakeup) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + duration
    while true {
        let left = clock.now.duration(to: deadline)
        if left <= .zero { return true }
        let milliseconds = Int32(clamping: Int64((left.seconds * 1000).rounded(.up)))
        if !waitFor(-1, 0, orWakeup: wakeup, timeout: max(1, milliseconds)) { return false }
    }
}

/// Runs `body` on a new POSIX thread; the handle is for ``joinThread(_:)``.
///
/// The exec step's blocking I/O (writing to the program, reading its output, waiting for it to
/// exit) runs on threads of its own rather than in Swift's cooperative pool, which has one
/// thread per core and must never block.
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    final class Work {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let work = Unmanaged.passRetained(Work(body: body)).toOpaque()
    #if os(Linux)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let result = pthread_create(
        &thread, nil,
        { argument in
            guard let argument else { return nil }
            let work = Unmanaged<Work>.fromOpaque(argument).takeRetainedValue()
            work.body()
            return nil
        }, work)
    guard result == 0 else {
        Unmanaged<Work>.fromOpaque(work).release()
        return nil
    }
    return thread
}

/// Waits for a thread from ``startThread(_:)`` to finish.
func joinThread(_ thread: pthread_t) {
    _ = pthread_join(thread, nil)
}
