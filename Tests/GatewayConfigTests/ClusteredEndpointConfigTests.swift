import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

/// An endpoint's `log` and `replay_age`, and what `log: cluster` rules out (SPEC §5).
@Suite struct ClusteredEndpointConfigTests {
    let loader = ConfigLoader(registry: .builtins, environment: [:])

    /// A file with a cluster and an endpoint on `/ticks` whose further keys are `lines` (line 8 on).
    func endpoint(_ lines: String, cluster: String = "cluster: { nats: { url: nats://127.0.0.1:4222 } }") -> Result<
        EndpointConfig, ConfigErrors
    > {
        let yaml = """
            \(cluster)
            sources:
              ticks: { type: generate, interval: 1s }
              other: { type: generate, interval: 1s }
            endpoints:
              - path: /ticks
                from: [ticks]
            \(lines.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        return loader.load(yaml: yaml, file: "g.yaml").map { $0.endpoints[0] }
    }

    func problems(_ lines: String, cluster: String = "cluster: { nats: { url: nats://127.0.0.1:4222 } }") -> [String] {
        switch endpoint(lines, cluster: cluster) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    @Test func anEndpointLogsInMemoryWithNoAgeLimitUnlessTold() throws {
        let ticks = try endpoint("replay: 10").get()
        #expect(ticks.log == .memory)
        #expect(ticks.replayAge == nil)
    }

    @Test func aClusteredEndpointReadsItsLogAndReplayAge() throws {
        let ticks = try endpoint("log: cluster\nreplay: 100000\nreplay_age: 24h").get()
        #expect(ticks.log == .cluster)
        #expect(ticks.replay == 100_000)
        #expect(ticks.replayAge == .seconds(86400))
        #expect(ticks.ids == .sequence)
    }

    @Test(arguments: [
        ("log: clustr", "g.yaml:8:10: 'log' must be one of memory, cluster, found 'clustr'. Did you mean 'cluster'?"),
        ("log: cluster\nids: source", "g.yaml:9:10: 'ids: source' is not allowed with 'log: cluster': a clustered endpoint's ids are its stream's sequence"),
        ("log: cluster\nreplay: 0", "g.yaml:9:13: 'replay' must be at least 1 with 'log: cluster': the endpoint's stream keeps at least one event"),
        ("replay_age: 1h", "g.yaml:8:17: 'replay_age' applies to a 'log: cluster' endpoint"),
        ("log: memory\nreplay_age: 1h", "g.yaml:9:17: 'replay_age' applies to a 'log: cluster' endpoint"),
        ("log: cluster\nreplay_age: 500ms", "g.yaml:9:17: 'replay_age' must be at least 1s, found '500ms'"),
        ("log: cluster\nreplay_age: 0", "g.yaml:9:17: 'replay_age' must be at least 1s, found '0'"),
        ("log: cluster\nreplay_aeg: 1h", "g.yaml:9:5: unknown key 'replay_aeg' in endpoint. Did you mean 'replay_age'?"),
    ])
    func mistakesArePositionedAndSayWhy(lines: String, expected: String) {
        let found = problems(lines)
        #expect(found.count == 1 && found[0].hasPrefix(expected), "\(found)")
    }

    @Test func memoryEndpointsKeepIdsSourceAndReplayZero() throws {
        let ticks = try endpoint("ids: source\nreplay: 0").get()
        #expect(ticks.ids == .source && ticks.replay == 0 && ticks.log == .memory)
    }

    @Test func aClusteredEndpointWithoutAClusterSectionSaysTheSectionIsMissing() {
        let found = problems("log: cluster", cluster: "server: { metrics: true }")
        #expect(
            found == [
                "g.yaml:8:10: 'log: cluster' needs a top-level 'cluster' section, the NATS JetStream that keeps the endpoint's stream "
                    + "(like 'cluster: { nats: { url: nats://127.0.0.1:4222 } }'); the file has none"
            ])
    }

    @Test func aBrokenClusterSectionIsReportedOnceNotAgainAtEachClusteredEndpoint() {
        let found = problems("log: cluster", cluster: "cluster: { nats: { url: http://n1 } }")
        #expect(found.count == 1 && found[0].hasPrefix("g.yaml:1:25: 'url' must be a nats:// or tls:// URL"), "\(found)")
    }

    @Test func aSourceOfAClusteredEndpointFeedsNoOtherEndpoint() {
        let yaml = """
            cluster: { nats: { url: nats://n1 } }
            sources:
              ticks: { type: generate }
              other: { type: generate }
            endpoints:
              - { path: /a, from: [ticks], log: cluster }
              - { path: /b, from: [other, ticks] }
              - { path: /c, from: ticks, replay: -1 }
              - { path: /d, from: [other] }
            """
        guard case .failure(let errors) = loader.load(yaml: yaml, file: "g.yaml") else {
            Issue.record("a shared source must be refused")
            return
        }
        let found = errors.problems.map(\.description)
        #expect(
            found == [
                "g.yaml:7:31: source 'ticks' feeds both '/a' and '/b', and '/a' has 'log: cluster': a clustered endpoint's sources "
                    + "run only on the instance holding its lease, so they cannot feed another endpoint; give one of them a source of its own",
                "g.yaml:8:23: source 'ticks' feeds both '/a' and '/c', and '/a' has 'log: cluster': a clustered endpoint's sources "
                    + "run only on the instance holding its lease, so they cannot feed another endpoint; give one of them a source of its own",
                "g.yaml:8:38: 'replay' must be between 0 and 10000000, found -1",
            ], "an endpoint with another problem is still checked; two memory endpoints share 'other' freely")
    }

    @Test func aClusteredEndpointMayNotTakeASourceAnEarlierEndpointReads() {
        let yaml = """
            cluster: { nats: { url: nats://n1 } }
            sources:
              ticks: { type: generate }
            endpoints:
              - { path: /a, from: [ticks] }
              - { path: /b, from: [ticks], log: cluster }
            """
        guard case .failure(let errors) = loader.load(yaml: yaml, file: "g.yaml") else {
            Issue.record("a shared source must be refused")
            return
        }
        #expect(errors.problems.map(\.description).count == 1)
        #expect(errors.problems[0].description.hasPrefix("g.yaml:6:24: source 'ticks' feeds both '/a' and '/b', and '/b' has 'log: cluster'"))
    }
}
