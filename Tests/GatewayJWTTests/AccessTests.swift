import GatewayJWT
import Testing

@Suite struct AccessTests {
    func access(_ entries: [String], subject: String? = nil, events: Set<String>? = nil) -> Access {
        Access(subject: subject, endpoints: entries.compactMap(PathPattern.init), events: events)
    }

    @Test func aPlainEntryNamesOneEndpointOrOneChannelExactly() {
        let access = access(["/orders", "/trades/42"])
        #expect(access.allows(["orders"]))
        #expect(!access.allows(["orders", "42"]), "an endpoint's entry is not a prefix")
        #expect(access.allows(["trades", "42"]))
        #expect(!access.allows(["trades", "43"]))
        #expect(!access.allows(["ordersx"]))
    }

    @Test func aStarMatchesAnyOneSegment() {
        let access = access(["/orders/*", "/*/feed"])
        #expect(access.allows(["orders", "42"]))
        #expect(access.allows(["orders", "a/b"]), "a channel name is one segment, slashes and all")
        #expect(!access.allows(["orders"]))
        #expect(!access.allows(["orders", "42", "x"]))
        #expect(access.allows(["prices", "feed"]))
    }

    @Test func subStandsForTheTokensSubjectAndForNothingWithoutOne() {
        #expect(access(["/orders/{sub}"], subject: "alice").allows(["orders", "alice"]))
        #expect(!access(["/orders/{sub}"], subject: "alice").allows(["orders", "bob"]))
        #expect(!access(["/orders/{sub}"]).allows(["orders", "{sub}"]))
        #expect(!access(["/orders/{sub}"]).allows(["orders", ""]))
        #expect(access(["/u/{sub}/orders"], subject: "7").allows(["u", "7", "orders"]))
        #expect(access(["/orders/x{sub}"], subject: "7").allows(["orders", "x{sub}"]), "only a whole segment is special")
    }

    @Test func noEndpointsListAllowsEveryPathAndAnEmptyOneAllowsNone() {
        #expect(Access.unrestricted.allows(["anything"]))
        #expect(!access([]).allows(["orders"]))
    }

    @Test func deliveredTypesAreTheClientsIntersectedWithTheTokens() {
        let restricted = access([], events: ["created", "updated"])
        #expect(restricted.deliveredTypes(asked: nil) == ["created", "updated"])
        #expect(restricted.deliveredTypes(asked: ["created", "deleted"]) == ["created"])
        #expect(restricted.deliveredTypes(asked: ["deleted"]) == [])
        #expect(Access.unrestricted.deliveredTypes(asked: ["x"]) == ["x"])
        #expect(Access.unrestricted.deliveredTypes(asked: nil) == nil)
    }

    @Test func pathsSplitIntoSegmentsAfterTheLeadingSlash() {
        #expect(PathPattern.split("/orders/42") == ["orders", "42"])
        #expect(PathPattern.split("/") == [""])
        #expect(PathPattern("orders") == nil)
    }
}
