import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

/// The `cluster:` section (SPEC §5): its defaults, and every mistake at its place.
@Suite struct ClusterConfigTests {
    let loader = ConfigLoader(registry: .builtins, environment: ["NATS_URL": "nats://n1:4222, nats://n2:4222", "EMPTY": ""])

    /// `cluster:` with `lines` under it (line 2 on, two spaces in), then a clustered endpoint.
    func load(cluster lines: String) -> Result<GatewayConfiguration, ConfigErrors> {
        let yaml = """
            cluster:
            \(lines.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            sources:
              ticks: { type: generate, interval: 1s }
            endpoints:
              - { path: /ticks, from: [ticks], log: cluster }
            """
        return loader.load(yaml: yaml, file: "g.yaml")
    }

    func problems(cluster lines: String) -> [String] {
        switch load(cluster: lines) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    @Test func aClusterWithOnlyAURLGetsTheDefaultsOfTheSpec() throws {
        let cluster = try #require(try load(cluster: "nats: { url: nats://127.0.0.1:4222 }").get().cluster)
        #expect(cluster.connection == NATSConnectionConfig(urls: ["nats://127.0.0.1:4222"]))
        #expect(cluster.name == "gateway")
        #expect(cluster.lease == .seconds(10))
        #expect(cluster.outbox == 64 << 20)
        #expect(cluster.cache == 10_000)
        #expect(cluster.replicas == 1)
        #expect(cluster.location == ConfigLocation(file: "g.yaml", line: 1, column: 1))
    }

    @Test func everyKeyIsRead() throws {
        let cluster = try #require(
            try load(
                cluster: """
                    nats:
                      url: [nats://n1:4222, "tls://[::1]:4443/"]
                      user: gateway
                      password: hunter2
                      tls: { ca: ca.pem, cert: cert.pem, key: key.pem }
                    name: prod-eu_1
                    lease: 3s
                    outbox: 8MiB
                    cache: 500
                    replicas: 3
                    """
            ).get().cluster)
        #expect(cluster.connection.urls == ["nats://n1:4222", "tls://[::1]:4443/"])
        #expect(cluster.connection.auth == .user("gateway", password: "hunter2"))
        #expect(cluster.connection.tls == NATSConnectionConfig.TLS(ca: "ca.pem", cert: "cert.pem", key: "key.pem"))
        #expect(cluster.name == "prod-eu_1")
        #expect(cluster.lease == .seconds(3))
        #expect(cluster.outbox == 8 << 20)
        #expect(cluster.cache == 500)
        #expect(cluster.replicas == 3)
    }

    @Test func aTokenAndAnEmptyTLSMapAreAccepted() throws {
        let connection = try #require(try load(cluster: "nats: { url: tls://n1, token: s3cret, tls: {} }").get().cluster).connection
        #expect(connection.auth == .token("s3cret"))
        #expect(connection.tls == NATSConnectionConfig.TLS())
    }

    @Test func theURLComesFromTheEnvironmentAndACommaSeparatedListIsSplit() throws {
        let cluster = try #require(try load(cluster: "nats: { url: '${NATS_URL}' }").get().cluster)
        #expect(cluster.connection.urls == ["nats://n1:4222", "nats://n2:4222"])
        #expect(
            problems(cluster: "nats: { url: '${NATS_MISSING}' }") == [
                "g.yaml:2:16: environment variable 'NATS_MISSING' is not set (used by 'cluster.nats.url'); set it or write ${NATS_MISSING:-default}"
            ])
    }

    @Test func theDescriptionHasNoSecret() {
        let connection = NATSConnectionConfig(
            urls: ["nats://n1:4222", "nats://alice:pw@n2:4222", "tls://tok3n@n3"], auth: .user("alice", password: "hunter2"),
            tls: .init(ca: "ca.pem", cert: "c.pem", key: "k.pem"))
        let texts = [connection.description, connection.debugDescription, "\(connection)", String(reflecting: connection)]
        for text in texts {
            #expect(!text.contains("hunter2") && !text.contains(":pw@") && !text.contains("tok3n"), "\(text)")
        }
        #expect(connection.description == "nats://n1:4222, nats://***@n2:4222, tls://***@n3 (user 'alice'; TLS: ca ca.pem, cert c.pem)")
        #expect(NATSConnectionConfig(urls: ["nats://n1"], auth: .token("t0ken")).description == "nats://n1 (token)")
    }

    @Test(arguments: [
        ("name: prod", "g.yaml:2:3: 'cluster' needs 'nats', the NATS JetStream the gateways share"),
        ("nats: ~", "g.yaml:2:9: 'cluster' needs 'nats'"),
        ("nats: nats://n1:4222", "g.yaml:2:9: 'nats' is a map of connection options: write 'nats: { url: nats://n1:4222 }'"),
        ("nats: { token: t }", "g.yaml:2:9: 'nats' needs 'url', a nats:// or tls:// URL (like nats://127.0.0.1:4222) or a list of them"),
        ("nats: { url: [] }", "g.yaml:2:16: 'url' must list at least one server"),
        ("nats: { url: {a: b} }", "g.yaml:2:16: 'url' must be a URL or a list of URLs, found a map"),
        ("nats: { url: '${EMPTY}' }", "g.yaml:2:16: 'url' is empty (is an environment variable empty?)"),
        ("nats: { url: http://n1:4222 }", "g.yaml:2:16: 'url' must be a nats:// or tls:// URL like nats://127.0.0.1:4222, found 'http://n1:4222'"),
        ("nats: { url: [nats://n1, \"n2:4222\"] }", "g.yaml:2:28: 'url' must be a nats:// or tls:// URL like nats://127.0.0.1:4222, found 'n2:4222'"),
        ("nats: { url: 'nats://n1:99999' }", "g.yaml:2:16: 'url' must be a nats:// or tls:// URL"),
        ("nats: { url: 'nats://n1/path' }", "g.yaml:2:16: 'url' must be a nats:// or tls:// URL"),
        ("nats: { url: 'nats://:4222' }", "g.yaml:2:16: 'url' must be a nats:// or tls:// URL"),
        ("nats: { url: [nats://n1, [x]] }", "g.yaml:2:28: 'url' must be a list of URLs; this element is a list"),
        ("nats: { url: nats://n1, user: u }", "g.yaml:2:33: 'user' needs 'password'"),
        ("nats: { url: nats://n1, password: p }", "g.yaml:2:37: 'password' needs 'user'"),
        ("nats: { url: nats://n1, token: t, user: u, password: p }", "g.yaml:2:34: 'token' and 'user'/'password' are two ways to sign in; keep one"),
        ("nats: { url: nats://n1, token: '${EMPTY}' }", "g.yaml:2:34: 'token' is empty (is an environment variable empty?)"),
        ("nats: { url: nats://n1, tls: { cert: c.pem } }", "g.yaml:2:40: 'tls' has 'cert' but no 'key', the certificate's private key"),
        ("nats: { url: nats://n1, tls: { key: k.pem } }", "g.yaml:2:39: 'tls' has 'key' but no 'cert'"),
        ("nats: { url: nats://n1, tls: { cafile: x } }", "g.yaml:2:34: unknown key 'cafile' in 'tls'."),
        ("nats: { url: nats://n1, tsl: {} }", "g.yaml:2:27: unknown key 'tsl' in 'nats'. Did you mean 'tls'?"),
        ("nats: { url: nats://n1 }\nlese: 5s", "g.yaml:3:3: unknown key 'lese' in 'cluster'. Did you mean 'lease'?"),
        ("nats: { url: nats://n1 }\nlease: 500ms", "g.yaml:3:10: 'lease' must be at least 1s, found '500ms'"),
        ("nats: { url: nats://n1 }\nlease: soon", "g.yaml:3:10: 'lease' must be a duration like 250ms, 5s, 1m or 2h, found 'soon'"),
        ("nats: { url: nats://n1 }\noutbox: 512KiB", "g.yaml:3:11: 'outbox' must be at least 1MiB, found '512KiB'"),
        ("nats: { url: nats://n1 }\noutbox: lots", "g.yaml:3:11: 'outbox' must be a size like 512, 64KiB or 1MiB, found 'lots'"),
        ("nats: { url: nats://n1 }\ncache: 0", "g.yaml:3:10: 'cache' must be between 1 and 10000000, found 0"),
        ("nats: { url: nats://n1 }\nreplicas: 7", "g.yaml:3:13: 'replicas' must be between 1 and 5, found 7"),
        ("nats: { url: nats://n1 }\nname: prod.eu", "g.yaml:3:9: 'name' may hold only letters, digits, '-' and '_' (it names NATS streams and leases), found 'prod.eu'"),
        ("nats: { url: nats://n1 }\nname: ''", "g.yaml:3:9: 'name' may hold only letters, digits, '-' and '_'"),
    ])
    func mistakesArePositionedAndSayWhatToDo(lines: String, expected: String) {
        let found = problems(cluster: lines)
        #expect(found.count == 1 && found[0].hasPrefix(expected), "\(found)")
    }

    @Test func anEmptyClusterSectionIsReportedAtItsKey() {
        let yaml = """
            sources:
              ticks: { type: generate }
            endpoints:
              - { path: /ticks, from: [ticks] }
            cluster:
            """
        guard case .failure(let errors) = loader.load(yaml: yaml, file: "g.yaml") else {
            Issue.record("an empty cluster section must be refused")
            return
        }
        #expect(errors.problems.map(\.description) == [
            "g.yaml:5:1: 'cluster' needs 'nats', the NATS JetStream the gateways share (like 'nats: { url: nats://127.0.0.1:4222 }')"
        ])
    }

    @Test func aClusterSectionThatNoEndpointUsesIsValid() throws {
        let yaml = """
            cluster: { nats: { url: nats://n1 } }
            sources:
              ticks: { type: generate }
            endpoints:
              - { path: /ticks, from: [ticks] }
            """
        let configuration = try loader.load(yaml: yaml, file: "g.yaml").get()
        #expect(configuration.cluster?.connection.urls == ["nats://n1"])
        #expect(configuration.endpoints[0].log == .memory)
    }

    @Test func aFileWithoutAClusterSectionHasNone() throws {
        let yaml = """
            sources:
              ticks: { type: generate }
            endpoints:
              - { path: /ticks, from: [ticks] }
            """
        #expect(try loader.load(yaml: yaml, file: "g.yaml").get().cluster == nil)
    }
}
