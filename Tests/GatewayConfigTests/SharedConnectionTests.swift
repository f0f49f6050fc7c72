import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

/// A stand-in for the `nats` source: it reads a subject and a connection, its own `url:` or the
/// file's `cluster.nats`, the way a NATS plugin does (`OptionsReader.natsConnectionOrShared()`).
struct SubjectSource: Source {
    let subject: String
    let connection: NATSConnectionConfig
    var summary: String { "\(subject) on \(connection)" }
    func run(_ context: SourceContext) async throws -> SourceCompletion { .finished }

    static let plugin = SourcePlugin(type: "subject", summary: "a subject of a NATS server (test)") { options in
        let subject = options.string("subject", required: true)
        let connection = options.natsConnectionOrShared()
        guard let subject, let connection else { return nil }
        return SubjectSource(subject: subject, connection: connection)
    }
}

/// Plugins get settings from elsewhere in the file through ``OptionsReader/shared``: a NATS
/// source without `url:` uses `cluster.nats`.
@Suite struct SharedConnectionTests {
    let loader: ConfigLoader = {
        var registry = PluginRegistry.builtins
        registry.register(SubjectSource.plugin)
        return ConfigLoader(registry: registry, environment: [:])
    }()

    func load(_ yaml: String) -> Result<GatewayConfiguration, ConfigErrors> {
        loader.load(yaml: yaml + "\nendpoints:\n  - { path: /orders, from: [orders] }", file: "g.yaml")
    }

    func problems(_ yaml: String) -> [String] {
        switch load(yaml) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    @Test func aSourceWithoutAURLUsesTheClusterConnectionCredentialsAndAll() throws {
        let configuration = try load(
            """
            cluster:
              nats: { url: nats://n1:4222, token: s3cret }
            sources:
              orders: { type: subject, subject: orders.> }
            """
        ).get()
        let source = try #require(configuration.sources[0].source as? SubjectSource)
        #expect(source.connection == NATSConnectionConfig(urls: ["nats://n1:4222"], auth: .token("s3cret")))
        #expect(source.subject == "orders.>")
    }

    @Test func aSourceWithItsOwnURLUsesItsOwnConnection() throws {
        let configuration = try load(
            """
            cluster:
              nats: { url: nats://n1:4222, token: s3cret }
            sources:
              orders: { type: subject, subject: orders, url: nats://other:4222, user: u, password: p }
            """
        ).get()
        let source = try #require(configuration.sources[0].source as? SubjectSource)
        #expect(source.connection == NATSConnectionConfig(urls: ["nats://other:4222"], auth: .user("u", password: "p")))
    }

    @Test func withoutAClusterASourceWithoutAURLSaysWhatItNeeds() {
        let found = problems(
            """
            sources:
              orders: { type: subject, subject: orders }
            """)
        #expect(
            found == [
                "g.yaml:2:11: source 'orders' needs 'url' (like nats://127.0.0.1:4222), or a top-level 'cluster' section whose 'nats' it uses"
            ])
    }

    @Test func aBrokenClusterConnectionIsReportedOnceWhereItIs() {
        let found = problems(
            """
            cluster:
              nats: { url: nats://n1, user: u }
            sources:
              orders: { type: subject, subject: orders }
            """)
        #expect(found == ["g.yaml:2:33: 'user' needs 'password'"])
    }

    @Test func credentialsWithoutAURLAreAnErrorNotSilentlyIgnored() {
        let found = problems(
            """
            cluster:
              nats: { url: nats://n1 }
            sources:
              orders: { type: subject, subject: orders, token: mine }
            """)
        #expect(found == ["g.yaml:4:52: 'token' goes with 'url': without one, the connection is 'cluster.nats', credentials and all"])
    }

    @Test func aPluginTestGivesTheSharedConnectionItself() throws {
        let shared = SharedConfig(natsConnection: .present(NATSConnectionConfig(urls: ["nats://n1"])))
        let source = try SubjectSource.plugin.make(yaml: "{ subject: orders }", shared: shared).get()
        #expect((source as? SubjectSource)?.connection.urls == ["nats://n1"])
        guard case .failure(let errors) = SubjectSource.plugin.make(yaml: "{ subject: orders }") else {
            Issue.record("without a shared connection the source needs a url")
            return
        }
        #expect(errors.problems.map(\.message) == ["source needs 'url' (like nats://127.0.0.1:4222), or a top-level 'cluster' section whose 'nats' it uses"])
    }
}
