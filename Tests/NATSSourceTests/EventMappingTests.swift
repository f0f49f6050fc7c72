import GatewayPlugin
import NATS
import Testing

@testable import NATSSource

@Suite struct EventMappingTests {
    static let plain = EventMapping(event: nil, idHeader: "Gateway-Id", maxEventSize: 16)

    @Test func thePayloadIsTheDataAndTheHeadersGiveTypeAndID() {
        let outcome = Self.plain.outcome(
            headers: [NATSHeader("Gateway-Event", "created"), NATSHeader("Gateway-Id", "o-1")], payload: Array("{\"n\":1}".utf8))
        #expect(outcome == .event(Event(id: "o-1", event: "created", data: "{\"n\":1}")))
    }

    @Test func withoutHeadersAnEventIsAMessageWithNoID() {
        #expect(Self.plain.outcome(headers: [], payload: Array("x".utf8)) == .event(Event(data: "x")))
        #expect(
            Self.plain.outcome(headers: [NATSHeader("Gateway-Id", ""), NATSHeader("Gateway-Event", "")], payload: [])
                == .event(Event(data: "")))
    }

    @Test func eventAndIDHeaderOverride() {
        let mapping = EventMapping(event: "order", idHeader: "Order-Id", maxEventSize: 16)
        let headers = [NATSHeader("Gateway-Event", "created"), NATSHeader("Gateway-Id", "g-1"), NATSHeader("Order-Id", "o-7")]
        #expect(mapping.outcome(headers: headers, payload: Array("x".utf8)) == .event(Event(id: "o-7", event: "order", data: "x")))
        // The id header named, absent: no id, even with a Gateway-Id.
        #expect(mapping.outcome(headers: [NATSHeader("Gateway-Id", "g-1")], payload: []) == .event(Event(event: "order", data: "")))
    }

    @Test func aHeaderNameThatDiffersOnlyInCaseIsTakenWhenNoExactOneIs() {
        let headers = [NATSHeader("gateway-id", "lower"), NATSHeader("GATEWAY-EVENT", "upper")]
        #expect(Self.plain.outcome(headers: headers, payload: []) == .event(Event(id: "lower", event: "upper", data: "")))
        let both = [NATSHeader("gateway-id", "lower"), NATSHeader("Gateway-Id", "exact")]
        #expect(Self.plain.outcome(headers: both, payload: []) == .event(Event(id: "exact", data: "")))
    }

    @Test(arguments: [[0xFF], [0xC3], [0x61, 0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] as [[UInt8]])
    func aPayloadThatIsNotUTF8IsDropped(payload: [UInt8]) {
        #expect(Self.plain.outcome(headers: [], payload: payload) == .dropped(reason: "invalid_utf8"))
    }

    @Test func multiByteUTF8AndNULAreKept() {
        let text = "é€😀\u{0}"
        #expect(Self.plain.outcome(headers: [], payload: Array(text.utf8)) == .event(Event(data: text)))
    }

    @Test func aPayloadOverMaxEventSizeIsDropped() {
        #expect(Self.plain.outcome(headers: [], payload: Array(repeating: 0x61, count: 16)) == .event(Event(data: String(repeating: "a", count: 16))))
        #expect(Self.plain.outcome(headers: [], payload: Array(repeating: 0x61, count: 17)) == .dropped(reason: "too_large"))
    }
}

@Suite struct DeliverPolicyTests {
    // A stream holding 5...9 (1...4 removed by its limits).

    @Test func allStartsAtTheFirstMessageHeld() {
        #expect(DeliverPolicy.all.startSequence(first: 5, last: 9, lastMatching: nil) == 5)
    }

    @Test func newStartsAfterTheLastMessage() {
        #expect(DeliverPolicy.new.startSequence(first: 5, last: 9, lastMatching: 7) == 10)
    }

    @Test func lastStartsAtTheLastMatchingMessageOrAfterTheLastWhenNoneMatches() {
        #expect(DeliverPolicy.last.startSequence(first: 5, last: 9, lastMatching: 7) == 7)
        #expect(DeliverPolicy.last.startSequence(first: 5, last: 9, lastMatching: nil) == 10)
    }

    @Test func anEmptiedStreamStartsAfterItsLastSequenceWhateverThePolicy() {
        // Emptied after 9: the first sequence is the last + 1.
        for policy in DeliverPolicy.allCases { #expect(policy.startSequence(first: 10, last: 9, lastMatching: nil) == 10) }
    }
}
