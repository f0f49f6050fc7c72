import GatewayConfig
import GatewayPlugin
import NATSSource
import Testing

@Suite struct NATSSourceOptionsTests {
    static let cluster = SharedConfig(natsConnection: .present(NATSConnectionConfig(urls: ["nats://cluster:4222"])))

    /// The problems `yaml` is reported with, as `gateway check` prints them.
    static func problems(_ yaml: String, shared: SharedConfig = cluster) -> [String] {
        guard case .failure(let errors) = NATSSource.plugin.make(yaml: yaml, shared: shared) else { return [] }
        return errors.problems.map(\.description)
    }

    @Test func aSubjectAloneReadsCoreNATSOnTheClusterConnection() throws {
        let source = try natsSource("{ subject: 'orders.>' }", shared: Self.cluster)
        #expect(source.mode == .subject("orders.>"))
        #expect(source.connection.urls == ["nats://cluster:4222"])
        #expect(source.usesClusterConnection)
        #expect(source.event == nil && source.idHeader == "Gateway-Id")
        #expect(source.summary == "core NATS 'orders.>' (live only), on cluster.nats (nats://cluster:4222)")
    }

    @Test func aStreamReadsEveryOption() throws {
        let yaml = """
            stream: ORDERS
            subject: "orders.*.created"
            deliver: last
            url: nats://127.0.0.1:4222
            event: order
            id_header: Order-Id
            """
        let source = try natsSource(yaml)
        #expect(source.mode == .stream("ORDERS", subject: "orders.*.created", deliver: .last))
        #expect(source.connection.urls == ["nats://127.0.0.1:4222"] && !source.usesClusterConnection)
        #expect(source.event == "order" && source.idHeader == "Order-Id")
        #expect(
            source.summary
                == "JetStream stream ORDERS 'orders.*.created', deliver last, as 'order', ids from Order-Id, on nats://127.0.0.1:4222")
    }

    @Test func aStreamNeedsNoSubjectAndDeliversNewByDefault() throws {
        let source = try natsSource("{ stream: ORDERS }", shared: Self.cluster)
        #expect(source.mode == .stream("ORDERS", subject: nil, deliver: .new))
    }

    @Test func withoutSubjectOrStreamTheSourceSaysWhatItNeeds() {
        #expect(
            Self.problems("{ event: order }") == [
                "test.yaml:1:1: source needs 'subject' (like orders.>), or 'stream' (a JetStream stream's name) to read a stream"
            ])
    }

    @Test(arguments: [
        ("orders..created", "has an empty token"),
        (".orders", "has an empty token"),
        ("orders.", "has an empty token"),
        ("orders.>.created", "has '>' before its last token"),
        ("orders.cre*", "has 'cre*'"),
        ("orders.>x", "has '>x'"),
        ("orders created", "contains a space"),
        ("", "is empty"),
    ])
    func anInvalidSubjectIsReportedAtItsPlace(subject: String, problem: String) {
        let found = Self.problems("event: order\nsubject: '\(subject)'\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("test.yaml:2:10: 'subject' is not a valid subject: '\(subject)' \(problem)") == true, "\(found)")
    }

    @Test(arguments: ["orders", "orders.*", "orders.>", ">", "*.created", "orders.*.eu.>"])
    func validSubjectsAreTaken(subject: String) throws {
        #expect(try natsSource("{ subject: '\(subject)' }", shared: Self.cluster).mode == .subject(subject))
    }

    @Test func deliverWithoutAStreamIsAnError() {
        let found = Self.problems("subject: orders.>\ndeliver: all\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("test.yaml:2:10: 'deliver' goes with 'stream'") == true, "\(found)")
    }

    @Test func anUnknownDeliverPolicyIsReportedWithASuggestion() {
        #expect(
            Self.problems("stream: ORDERS\ndeliver: lats\n") == [
                "test.yaml:2:10: 'deliver' must be one of new, all, last, found 'lats'. Did you mean 'last'?"
            ])
    }

    @Test func anInvalidStreamNameIsReported() {
        let found = Self.problems("stream: orders.all\n")
        #expect(found.first?.hasPrefix("test.yaml:1:9: 'stream' is not a valid stream name: 'orders.all' contains '.'") == true, "\(found)")
    }

    @Test func unknownKeysAreReportedWithASuggestion() {
        let found = Self.problems("subject: orders.>\nid_heder: Order-Id\n")
        #expect(found == ["test.yaml:2:1: unknown key 'id_heder' in source. Did you mean 'id_header'?"])
    }

    @Test func anInvalidHeaderNameOrEventIsReported() {
        let found = Self.problems("subject: orders.>\nid_header: 'Order Id'\nevent: ''\n")
        #expect(found.contains { $0.hasPrefix("test.yaml:2:12: 'id_header' is not a valid header name: 'Order Id'") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("test.yaml:3:8: 'event' must be a non-empty single-line type") }, "\(found)")
    }

    @Test func withoutURLOrClusterTheSourceSaysWhereToConnect() {
        let found = Self.problems("{ subject: orders.> }", shared: SharedConfig())
        #expect(found.count == 1)
        #expect(found.first?.contains("needs 'url'") == true, "\(found)")
    }

    @Test func credentialsWithoutURLAreAnError() {
        let found = Self.problems("subject: orders.>\ntoken: secret\n")
        #expect(found.first?.hasPrefix("test.yaml:2:8: 'token' goes with 'url'") == true, "\(found)")
    }

    @Test func everyMistakeIsReportedInOneRun() {
        let found = Self.problems("subject: 'a..b'\ndeliver: all\nstrem: X\n")
        #expect(found.count == 3, "\(found)")
    }
}
