import NATS
import Testing

@Suite struct NATSErrorTests {
    @Test func readsTheStreamsLastSequenceFromTheServersText() {
        #expect(NATSError(status: 1, jetStreamCode: 10071, message: "wrong last sequence: 41").trailingNumber == 41)
        #expect(NATSError(status: 1, jetStreamCode: 10071, message: "wrong last sequence: 41").isWrongLastSequence)
        #expect(NATSError(status: 1, message: "no number").trailingNumber == nil)
    }
}
