import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

@Suite struct ChannelConfigTests {
    let loader = ConfigLoader(registry: .builtins, environment: [:])

    func endpoint(_ lines: String) -> Result<EndpointConfig, ConfigErrors> {
        let yaml = """
            sources:
              orders: { type: generate, interval: 1s }
            endpoints:
              - from: [orders]
            \(lines.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        return loader.load(yaml: yaml, file: "g.yaml").map { $0.endpoints[0] }
    }

    func problems(_ lines: String) -> [String] {
        switch endpoint(lines) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    @Test func aChannelEndpointReadsItsKeyLimitsAndASmallerDefaultReplay() throws {
        let orders = try endpoint("path: /orders/{customer}\nchannel: data.customer_id\nmax_channels: 500\nreplay_bytes: 64MiB").get()
        #expect(orders.channel?.key == .dataPath(JSONPath("customer_id")!))
        #expect(orders.channel?.maxChannels == 500)
        #expect(orders.channel?.replayBytes == 64 << 20)
        #expect(orders.replay == 100, "replay is per channel: 100 unless set")
        let byType = try endpoint("path: /rooms/{room}/events\nchannel: event\nreplay: 7").get()
        #expect(byType.channel?.key == .event)
        #expect(byType.channel?.maxChannels == 100_000)
        #expect(byType.channel?.replayBytes == nil)
        #expect(byType.replay == 7)
        #expect(try endpoint("path: /plain").get().channel == nil)
        #expect(try endpoint("path: /plain").get().replay == 1000)
    }

    @Test(arguments: [
        ("path: /orders/{customer}", "g.yaml:5:11: 'path' has a '{customer}' segment: the endpoint needs 'channel'"),
        ("path: /orders\nchannel: id", "g.yaml:5:11: a channel endpoint's 'path' needs one '{name}' segment"),
        ("path: /orders/{a}/{b}\nchannel: id", "g.yaml:5:11: 'path' may hold one '{name}' segment"),
        ("path: /orders/x{a}\nchannel: id", "g.yaml:5:11: 'path' may hold one '{name}' segment"),
        ("path: /orders/{a}\nchannel: data", "g.yaml:6:14: 'channel' must be id, event or data.PATH"),
        ("path: /orders/{a}\nchannel: data.", "g.yaml:6:14: 'channel' must be id, event or data.PATH"),
        ("path: /orders/{a}\nchannel: customer", "g.yaml:6:14: 'channel' must be id, event or data.PATH"),
        ("path: /orders/{a}\nchannel: id\nmax_channels: 0", "g.yaml:7:19: 'max_channels' must be between 1"),
        ("path: /orders/{a}\nchannel: id\nreplay_bytes: 10", "g.yaml:7:19: 'replay_bytes' must be at least"),
        ("path: /orders\nmax_channels: 5", "g.yaml:6:19: 'max_channels' applies to a channel endpoint"),
    ])
    func mistakesArePositionedAndSayWhatToDo(lines: String, expected: String) {
        let found = problems(lines)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test func twoTemplatesThatServeTheSameRequestsAreDuplicates() {
        let yaml = """
            sources:
              orders: { type: generate, interval: 1s }
            endpoints:
              - { path: "/orders/{a}", from: [orders], channel: id }
              - { path: "/orders/{b}", from: [orders], channel: event }
            """
        guard case .failure(let errors) = loader.load(yaml: yaml, file: "g.yaml") else {
            Issue.record("expected a duplicate path")
            return
        }
        #expect(errors.problems.map(\.description).contains { $0.contains("duplicate endpoint path '/orders/{b}'") })
    }
}
