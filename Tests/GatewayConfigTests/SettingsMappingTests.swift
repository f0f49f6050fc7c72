import GatewayConfig
import GatewayPlugin
import GatewayServer
import Testing

@testable import GatewayCLI

/// `gateway run` hands the server its own settings: every key of `gateway.yaml` must arrive.
@Suite struct SettingsMappingTests {
    @Test func everyServerAndEndpointKeyReachesTheServerSettings() throws {
        let configuration = try ConfigLoader(registry: .builtins, environment: [:]).load(
            yaml: """
                server:
                  listen: "[::]:9090"
                  heartbeat: 500ms
                  retry: 3s
                  max_clients: 50
                  client_buffer: 64KiB
                  stall_timeout: 5s
                  request_timeout: 4s
                  cors: { origins: ["https://a.example"] }
                  tls: { cert: c.pem, key: k.pem }
                  dashboard: false
                  metrics: false
                sources:
                  ticks: { type: generate, interval: 1s, max_event_size: 4KiB }
                endpoints:
                  - path: /ticks
                    from: [ticks]
                    pipeline: [{ filter: { event: tick } }]
                    replay: 7
                    ids: source
                    auth: { tokens: [t1] }
                    reset_event: gap
                  - path: /plain
                    from: [ticks]
                    reset_event: false
                """, file: "g.yaml"
        ).get()
        let settings = GatewaySettings(configuration, makeEngine: StandInEngine.make)
        let server = settings.server
        #expect(server.listen == ListenAddress(host: "::", port: 9090))
        #expect(server.heartbeat == .milliseconds(500))
        #expect(server.retry == .seconds(3))
        #expect(server.maxClients == 50)
        #expect(server.clientBuffer == 65536)
        #expect(server.stallTimeout == .seconds(5))
        #expect(server.requestTimeout == .seconds(4))
        #expect(server.corsOrigins == ["https://a.example"])
        #expect(server.tls?.certificateChain == "c.pem" && server.tls?.privateKey == "k.pem")
        #expect(!server.dashboard && !server.metrics)

        #expect(settings.sources.map(\.name) == ["ticks"])
        #expect(settings.sources[0].type == "generate" && settings.sources[0].maxEventSize == 4096)

        let ticks = settings.endpoints[0]
        #expect(ticks.path == "/ticks" && ticks.sources == ["ticks"])
        #expect(ticks.pipeline.map(\.name) == ["filter"])
        #expect(ticks.replay == 7 && ticks.ids == .source && ticks.tokens == ["t1"] && ticks.resetEvent == "gap")
        let plain = settings.endpoints[1]
        #expect(plain.ids == .sequence && plain.tokens == nil && plain.resetEvent == nil)

        #expect(settings.cluster == nil, "no cluster section, no cluster")
        #expect(settings.endpoints.allSatisfy { $0.log == .memory && $0.replayAge == nil })

        let onPortZero = GatewaySettings(configuration, listen: ListenAddress(host: "127.0.0.1", port: 0), makeEngine: StandInEngine.make)
        #expect(onPortZero.server.listen.port == 0)
    }

    @Test func theClusterAndEachEndpointsLogReachTheServerSettingsWithAnEngineMadeFromTheConnection() throws {
        let configuration = try ConfigLoader(registry: .builtins, environment: [:]).load(
            yaml: """
                cluster:
                  nats: { url: [nats://n1:4222, nats://n2:4222], token: t }
                  name: prod
                  lease: 4s
                  outbox: 2MiB
                  cache: 50
                sources:
                  ticks: { type: generate }
                  orders: { type: generate }
                  local: { type: generate }
                endpoints:
                  - { path: /ticks, from: [ticks], log: cluster, replay: 5000, replay_age: 1h }
                  - { path: "/orders/{customer}", from: [orders], log: cluster, channel: data.customer }
                  - { path: /local, from: [local] }
                """, file: "g.yaml"
        ).get()
        var connections: [NATSConnectionConfig] = []
        let settings = GatewaySettings(configuration) { connection in
            connections.append(connection)
            return StandInEngine()
        }
        #expect(connections == [NATSConnectionConfig(urls: ["nats://n1:4222", "nats://n2:4222"], auth: .token("t"))])
        let cluster = try #require(settings.cluster)
        #expect(cluster.engine is StandInEngine)
        #expect(cluster.name == "prod" && cluster.lease == .seconds(4) && cluster.outbox == 2 << 20 && cluster.cache == 50)
        #expect(settings.endpoints.map(\.log) == [.cluster, .cluster, .memory])
        #expect(settings.endpoints.map(\.replayAge) == [.seconds(3600), nil, nil])
        #expect(settings.endpoints[0].replay == 5000 && settings.endpoints[1].channel != nil)
    }

    @Test func whatTheEngineFactoryThrowsIsPassedOn() throws {
        let configuration = try ConfigLoader(registry: .builtins, environment: [:]).load(
            yaml: """
                cluster: { nats: { url: nats://n1 } }
                sources: { ticks: { type: generate } }
                endpoints: [{ path: /ticks, from: [ticks], log: cluster }]
                """, file: "g.yaml"
        ).get()
        #expect(throws: ClusterError.unreachable("stand-in")) {
            _ = try GatewaySettings(configuration) { _ in throw ClusterError.unreachable("stand-in") }
        }
    }
}

/// An engine that is never asked anything: the mapping only hands it over.
final class StandInEngine: ClusterEngine {
    static func make(_ connection: NATSConnectionConfig) -> any ClusterEngine { StandInEngine() }

    func openStream(_ spec: ClusterStreamSpec) async throws -> any ClusterStream { throw ClusterError.unreachable("stand-in") }
    func lease(named name: String, ttl: Duration) -> any ClusterLease { fatalError("a stand-in has no leases") }
    var isConnected: Bool { false }
    func onConnectionChange(_ handler: @escaping @Sendable (_ connected: Bool) -> Void) {}
    func close() async {}
    func servePublishes(to source: String, _ handler: @escaping @Sendable (PushRequest) -> PushResponse) throws -> any ClusterSubscription {
        throw ClusterError.unreachable("stand-in")
    }
    func forwardPublish(_ request: PushRequest, to source: String, timeout: Duration) async throws -> PushResponse {
        throw ClusterError.unreachable("stand-in")
    }
}
