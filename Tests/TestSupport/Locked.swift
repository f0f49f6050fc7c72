import NIOConcurrencyHelpers

/// A value behind a pthread mutex, for test state shared with other threads: a lock that
/// ThreadSanitizer sees (the futex of Swift's `Mutex` it does not, on Linux), so `make test-tsan`
/// reports races in the code under test, not in the tests' bookkeeping.
public final class Locked<Value>: @unchecked Sendable {
    private let box: NIOLockedValueBox<Value>

    public init(_ value: Value) { box = NIOLockedValueBox(value) }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try box.withLockedValue(body)
    }
}
