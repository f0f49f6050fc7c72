import Testing

@testable import GatewayServer

@Suite struct ClientPolicyTests {
    @Test func skipsEverythingUpToItsStartAndDeliversWhatFollows() {
        let policy = ClientPolicy(types: nil, startAfter: 10)
        #expect(!policy.delivers(sequence: 9, type: "a"))
        #expect(!policy.delivers(sequence: 10, type: "a"))
        #expect(policy.delivers(sequence: 11, type: "a"))
    }

    @Test func aTypeFilterKeepsOnlyTheNamedTypes() {
        let policy = ClientPolicy(types: ["a", "message"], startAfter: 0)
        #expect(policy.delivers(sequence: 1, type: "a"))
        #expect(policy.delivers(sequence: 2, type: "message"))
        #expect(!policy.delivers(sequence: 3, type: "b"))
        #expect(policy.replays(type: "a"))
        #expect(!policy.replays(type: "b"))
    }

    @Test func eventQueryValuesAreCommaSeparatedAndMayRepeat() {
        #expect(ClientPolicy.types(fromQueryValues: ["a,b", "c"]) == ["a", "b", "c"])
        #expect(ClientPolicy.types(fromQueryValues: [" a , b "]) == ["a", "b"])
        #expect(ClientPolicy.types(fromQueryValues: [""]) == nil)
        #expect(ClientPolicy.types(fromQueryValues: []) == nil)
    }
}
