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
        let settings = GatewaySettings(configuration)
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

        #expect(GatewaySettings(configuration, listen: ListenAddress(host: "127.0.0.1", port: 0)).server.listen.port == 0)
    }
}
