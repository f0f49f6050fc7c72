import Testing

@testable import GatewayServer

@Suite struct ClientPolicyTests {
    @Test func eventQueryValuesAreCommaSeparatedAndMayRepeat() {
        #expect(ClientPolicy.types(fromQueryValues: ["a,b", "c"]) == ["a", "b", "c"])
        #expect(ClientPolicy.types(fromQueryValues: [" a , b "]) == ["a", "b"])
        #expect(ClientPolicy.types(fromQueryValues: [""]) == nil)
        #expect(ClientPolicy.types(fromQueryValues: []) == nil)
    }
}
