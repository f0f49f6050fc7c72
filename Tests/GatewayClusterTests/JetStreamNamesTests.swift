import GatewayCluster
import Testing

@Suite struct JetStreamNamesTests {
    @Test func namesAStreamAfterTheClusterAndTheEndpoint() {
        #expect(JetStreamNames.stream(cluster: "prod", endpoint: "/quotes") == "GW_prod_quotes")
        #expect(JetStreamNames.stream(cluster: "prod", endpoint: "/orders/{customer}") == "GW_prod_orders_-7Bcustomer-7D")
        #expect(JetStreamNames.stream(cluster: "my-cluster", endpoint: "/a_b") == "GW_my-2Dcluster_a-5Fb")
        #expect(JetStreamNames.subject(cluster: "prod", endpoint: "/quotes") == "gw.prod.quotes")
        #expect(JetStreamNames.subject(cluster: "prod", endpoint: "/orders/{customer}", channel: "42") == "gw.prod.orders_-7Bcustomer-7D.42")
        #expect(JetStreamNames.channelWildcard(cluster: "prod", endpoint: "/orders/{c}") == "gw.prod.orders_-7Bc-7D.*")
        #expect(JetStreamNames.leaseBucket(cluster: "prod") == "GW_prod_leases")
        #expect(JetStreamNames.leaseKey("/quotes") == "-2Fquotes")
    }

    static let awkward = [
        "/quotes", "/orders/{customer}", "/a_b", "/a/b", "/a-b", "/a.b", "/a b", "/a*", "/>", "/ä/€/𝄞", "/a\\b", "/",
        "/-2F", "/_", "/%41",
    ]

    @Test(arguments: awkward)
    func streamNamesAreValidAndReversible(endpoint: String) throws {
        let name = JetStreamNames.stream(cluster: "c-1_x.y", endpoint: endpoint)
        #expect(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        let parsed = try #require(JetStreamNames.parseStream(name))
        #expect(parsed.cluster == "c-1_x.y")
        #expect(parsed.endpoint == endpoint)
    }

    @Test func differentEndpointsNeverShareAName() {
        let names = Set(Self.awkward.map { JetStreamNames.stream(cluster: "prod", endpoint: $0) })
        #expect(names.count == Self.awkward.count)
        // The separator between cluster and endpoint cannot be forged by either.
        #expect(JetStreamNames.stream(cluster: "a_b", endpoint: "/c") != JetStreamNames.stream(cluster: "a", endpoint: "/b/c"))
    }

    static let channels = ["42", "café / 1", "a.b", "*", ">", "a b", "%", "%41", "-", "_", "日本語", "🙂", ".", "a..b", "\t\n", "$SYS", "x>y*z"]

    @Test(arguments: channels)
    func aChannelIsOneSubjectTokenAndComesBack(channel: String) throws {
        let token = JetStreamNames.channelToken(channel)
        #expect(!token.isEmpty)
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_%".contains($0)) })
        #expect(JetStreamNames.channel(fromToken: Substring(token)) == channel)
        let prefix = JetStreamNames.subject(cluster: "prod", endpoint: "/orders/{customer}")
        let subject = JetStreamNames.subject(cluster: "prod", endpoint: "/orders/{customer}", channel: channel)
        #expect(JetStreamNames.channel(subject: subject, prefix: prefix) == channel)
    }

    @Test func readableChannelsStayReadable() {
        #expect(JetStreamNames.channelToken("user-1_a") == "user-1_a")
        #expect(JetStreamNames.channelToken("café / 1") == "caf%C3%A9%20%2F%201")
        #expect(JetStreamNames.channelToken("a.b") == "a%2Eb")
    }

    @Test func malformedTokensAreRefused() {
        #expect(JetStreamNames.channel(fromToken: "%4") == nil)
        #expect(JetStreamNames.channel(fromToken: "%zz") == nil)
        #expect(JetStreamNames.channel(fromToken: "a.b") == nil)
        #expect(JetStreamNames.channel(fromToken: "%FF") == nil)  // not UTF-8
        #expect(JetStreamNames.channel(subject: "gw.prod.other.x", prefix: "gw.prod.quotes") == nil)
        #expect(JetStreamNames.channel(subject: "gw.prod.quotes", prefix: "gw.prod.quotes") == nil)
        #expect(JetStreamNames.parseStream("KV_x") == nil)
    }
}
