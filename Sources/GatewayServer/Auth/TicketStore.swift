import DequeModule
import GatewayJWT
import NIOConcurrencyHelpers
import NIOCore

/// Single-use tickets (SPEC §6): `POST /_gateway/ticket` trades a token in a header for a
/// ticket that opens one stream of one endpoint, once, within ``lifetime``, with the token's
/// access (its `gateway` restrictions and its expiry). So a secret never has to sit in a URL,
/// where proxies and servers log it.
///
/// In this process's memory: on a cluster, a ticket works on the instance that issued it only,
/// so a load balancer in front of several instances must route a client's ticket request and
/// its stream to the same one (sticky sessions). Bounded: at most ``capacity`` tickets issued
/// within one ``lifetime``; beyond that, issuing fails until the oldest expire.
/// Thread-safe; every operation is O(1) amortised.
final class TicketStore: Sendable {
    /// What a ticket opens.
    struct Ticket: Sendable, Equatable {
        /// The configured path of the endpoint it opens (`/orders/{customer}` on a channel endpoint).
        var endpoint: String
        /// What the token it was issued for may read.
        var access: Access
    }

    /// How long a ticket is valid after it is issued.
    let lifetime: TimeAmount
    /// The most tickets outstanding at once (issued within one lifetime, used or not).
    let capacity: Int
    /// The monotonic clock expiry is measured on; a test drives its own.
    private let now: @Sendable () -> NIODeadline

    private struct State {
        var tickets: [String: (ticket: Ticket, expires: NIODeadline)] = [:]
        /// Every ticket issued within a lifetime, oldest first: issued in expiry order, since
        /// the lifetime is the same for all.
        var issued: Deque<(id: String, expires: NIODeadline)> = []
    }
    private let state = NIOLockedValueBox(State())

    /// Thirty seconds: long enough for a page to open its stream, short enough that a ticket
    /// seen in a log is stale.
    static let defaultLifetime: TimeAmount = .seconds(30)
    static let defaultCapacity = 100_000
    /// Random bytes in a ticket: 256 bits, so guessing one is hopeless.
    static let randomBytes = 32

    /// - Parameters:
    ///   - lifetime: how long a ticket stays valid.
    ///   - capacity: the most tickets outstanding.
    ///   - now: the clock (monotonic); `NIODeadline.now` unless a test drives it.
    init(
        lifetime: TimeAmount = TicketStore.defaultLifetime, capacity: Int = TicketStore.defaultCapacity,
        now: @escaping @Sendable () -> NIODeadline = { .now() }
    ) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.now = now
    }

    /// Issues a ticket; `nil` when ``capacity`` tickets are outstanding.
    func issue(_ ticket: Ticket) -> String? {
        var random = SystemRandomNumberGenerator()
        let id = Base64URL.encode((0..<Self.randomBytes).map { _ in UInt8.random(in: .min ... .max, using: &random) })
        let now = self.now()
        return state.withLockedValue { state in
            Self.sweep(&state, now: now)
            guard state.issued.count < capacity else { return nil }
            let expires = now + lifetime
            state.tickets[id] = (ticket, expires)
            state.issued.append((id, expires))
            return id
        }
    }

    /// Takes the ticket `id`: what it opens, once; `nil` when it is unknown, used or expired.
    func redeem(_ id: String) -> Ticket? {
        let now = self.now()
        return state.withLockedValue { state in
            Self.sweep(&state, now: now)
            guard let entry = state.tickets.removeValue(forKey: id), entry.expires > now else { return nil }
            return entry.ticket
        }
    }

    /// Tickets issued and neither used nor expired.
    var outstanding: Int {
        let now = self.now()
        return state.withLockedValue { state in
            Self.sweep(&state, now: now)
            return state.tickets.count
        }
    }

    /// Forgets the tickets that have expired.
    private static func sweep(_ state: inout State, now: NIODeadline) {
        while let oldest = state.issued.first, oldest.expires <= now {
            state.issued.removeFirst()
            state.tickets.removeValue(forKey: oldest.id)
        }
    }
}
