import NIOConcurrencyHelpers

/// Counts open streams across endpoints against `max_clients`.
final class Admission: Sendable {
    /// The most streams open at once.
    let limit: Int
    private let open = NIOLockedValueBox(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a place for a new stream; `false` when the gateway is full.
    func admit() -> Bool {
        open.withLockedValue { open in
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    /// Gives back a place taken by ``admit()``.
    func release() {
        open.withLockedValue { $0 -= 1 }
    }

    /// Streams open now.
    var count: Int { open.withLockedValue { $0 } }
}
