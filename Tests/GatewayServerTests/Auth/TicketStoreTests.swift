import GatewayJWT
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import GatewayServer

@Suite struct TicketStoreTests {
    /// A clock the test moves.
    final class Clock: Sendable {
        private let time = NIOLockedValueBox(NIODeadline.uptimeNanoseconds(1_000_000_000))
        var now: NIODeadline { time.withLockedValue { $0 } }
        func advance(_ amount: TimeAmount) { time.withLockedValue { $0 = $0 + amount } }
    }

    static let ticket = TicketStore.Ticket(endpoint: "/orders", access: Access(subject: "alice", events: ["created"]))

    @Test func aTicketOpensOnceWithWhatItWasIssuedFor() throws {
        let store = TicketStore()
        let id = try #require(store.issue(Self.ticket))
        #expect(store.redeem(id) == Self.ticket)
        #expect(store.redeem(id) == nil, "used once")
        #expect(store.redeem("made-up") == nil)
    }

    @Test func aTicketIsGoneAfterItsLifetime() throws {
        let clock = Clock()
        let store = TicketStore(now: { clock.now })
        let early = try #require(store.issue(Self.ticket))
        let late = try #require(store.issue(Self.ticket))
        clock.advance(.seconds(29))
        #expect(store.redeem(early) == Self.ticket, "within 30 s")
        clock.advance(.seconds(1))
        #expect(store.redeem(late) == nil, "not after 30 s")
        #expect(store.outstanding == 0)
    }

    @Test func ticketsAreRandomURLSafeAndAtLeast128Bits() throws {
        let store = TicketStore()
        let ids = (0..<100).compactMap { _ in store.issue(Self.ticket) }
        #expect(Set(ids).count == 100)
        for id in ids {
            #expect(Base64URL.decode(Array(id.utf8))?.count == TicketStore.randomBytes)
            #expect(TicketStore.randomBytes * 8 >= 128)
        }
    }

    @Test func theStoreIsBoundedAndExpiredTicketsAreSweptToMakeRoom() throws {
        let clock = Clock()
        let store = TicketStore(capacity: 3, now: { clock.now })
        for _ in 0..<3 { _ = try #require(store.issue(Self.ticket)) }
        #expect(store.issue(Self.ticket) == nil, "full")
        clock.advance(.seconds(30))
        #expect(store.outstanding == 0)
        #expect(store.issue(Self.ticket) != nil, "the expired ones were swept")
    }
}
