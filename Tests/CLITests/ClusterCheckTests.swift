import Testing

/// `gateway check` on a clustered configuration (SPEC §5): the plan shows the cluster and each
/// endpoint's log, never a secret; mistakes are listed together, each at its place.
@Suite(.serialized) struct ClusterCheckTests {
    @Test func thePlanShowsTheClusterAndEachEndpointsLogWithoutSecrets() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            cluster:
              nats:
                url: [nats://n1:4222, "tls://admin:pa55word@n2:4443"]
                user: alice
                password: hunter2
                tls: { ca: ca.pem }
              name: prod
              lease: 5s
            sources:
              quotes: { type: generate, interval: 1s }
              local: { type: generate, interval: 1s }
            endpoints:
              - { path: /quotes, from: [quotes], log: cluster, replay: 100000, replay_age: 24h }
              - { path: /local, from: [local] }
            """)
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\ncluster  prod on nats://n1:4222, tls://***@n2:4443 (user 'alice'; TLS: ca ca.pem)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("\n  lease 5s, outbox 64MiB, cache 10000 events, replicas 1\n\nsources\n"))
        #expect(result.stdout.contains("/quotes  ← quotes\n    replay 100000, replay_age 24h, ids sequence, log cluster (stream GW_prod_quotes)\n"))
        #expect(result.stdout.contains("/local  ← local\n    replay 1000, ids sequence, log memory\n"))
        for secret in ["hunter2", "pa55word", "admin"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        }
    }

    @Test func aTokenIsNeverPrintedAndAnUnusedClusterIsNoted() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            cluster: { nats: { url: nats://n1, token: s3cret-t0ken } }
            sources:
              ticks: { type: generate, interval: 1s }
            endpoints:
              - { path: /ticks, from: [ticks] }
            """)
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("cluster  gateway on nats://n1 (token)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("no endpoint has 'log: cluster' (nats sources may use the connection)"))
        #expect(result.stdout.contains("replay 1000, ids sequence, log memory"))
        #expect(!result.stdout.contains("s3cret"))
    }

    @Test func everyClusterMistakeIsListedAtItsPlaceAndExitsOne() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            cluster:
              nats: { url: "http://n1:4222", user: alice }
              lease: 100ms
            sources:
              quotes: { type: generate }
            endpoints:
              - path: /quotes
                from: [quotes]
                log: cluster
                ids: source
              - path: /memory
                from: [quotes]
                replay_age: 1h
            """, name: "cluster.yaml")
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let expected = [
            "\(file):2:16: 'url' must be a nats:// or tls:// URL like nats://127.0.0.1:4222, found 'http://n1:4222'",
            "\(file):2:40: 'user' needs 'password'",
            "\(file):3:10: 'lease' must be at least 1s, found '100ms'",
            "\(file):10:10: 'ids: source' is not allowed with 'log: cluster'",
            "\(file):12:12: source 'quotes' feeds both '/quotes' and '/memory', and '/quotes' has 'log: cluster'",
            "\(file):13:17: 'replay_age' applies to a 'log: cluster' endpoint",
            "\(file): 6 problems found",
        ]
        #expect(lines.count == expected.count, "\(result.stderr)")
        for (line, prefix) in zip(lines, expected) {
            #expect(line.hasPrefix(prefix), "\(line)\nexpected: \(prefix)")
        }
    }

    @Test func aClusteredEndpointWithoutAClusterSectionIsOneError() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            sources:
              quotes: { type: generate }
            endpoints:
              - { path: /quotes, from: [quotes], log: cluster }
            """)
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(file):4:43: 'log: cluster' needs a top-level 'cluster' section"), "\(result.stderr)")
    }
}
