import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

@Suite struct ConfigLoaderTests {
    let loader = ConfigLoader(registry: .builtins, environment: ["TOKEN": "s3cret", "EMPTY": ""])

    func load(_ yaml: String) -> Result<GatewayConfiguration, ConfigErrors> {
        loader.load(yaml: yaml, file: "g.yaml")
    }

    func problems(_ yaml: String) -> [String] {
        switch load(yaml) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    let minimal = """
        sources:
          ticks: { type: generate, interval: 1s }
        endpoints:
          - path: /ticks
            from: [ticks]
        """

    @Test func aDocumentThatAliasesExpandPastTheLimitIsOnePositionedErrorAndQuick() {
        // Nine levels of ten aliases each: a billion values from a few hundred bytes.
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        yaml += minimal
        let clock = ContinuousClock()
        let started = clock.now
        let found = problems(yaml)
        #expect(clock.now - started < .seconds(5))
        #expect(found.contains { $0.hasPrefix("g.yaml:") && $0.contains("expands to more than 100000 values") })
    }

    @Test func aMinimalConfigurationGetsTheDefaultsOfTheSpec() throws {
        let configuration = try load(minimal).get()
        #expect(configuration.server.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(configuration.server.heartbeat == .seconds(15))
        #expect(configuration.server.retry == .seconds(2))
        #expect(configuration.server.maxClients == 10_000)
        #expect(configuration.server.clientBuffer == 1 << 20)
        #expect(configuration.server.stallTimeout == .seconds(30))
        #expect(configuration.server.dashboard && configuration.server.metrics)
        #expect(configuration.sources.map(\.name) == ["ticks"])
        #expect(configuration.sources[0].maxEventSize == 1 << 20)
        #expect(configuration.endpoints[0].replay == 1000)
        #expect(configuration.endpoints[0].ids == .sequence)
        #expect(configuration.endpoints[0].auth == nil)
        #expect(configuration.endpoints[0].resetEvent == "reset")
    }

    @Test func theResetEventIsANameOrFalse() throws {
        let configuration = try load(
            """
            sources:
              ticks: { type: generate }
            endpoints:
              - { path: /a, from: [ticks], reset_event: gap }
              - { path: /b, from: [ticks], reset_event: false }
              - { path: /c, from: [ticks], reset_event: 'false' }
            """
        ).get()
        #expect(configuration.endpoints.map(\.resetEvent) == ["gap", nil, "false"])
        let found = problems(
            """
            sources:
              ticks: { type: generate }
            endpoints:
              - { path: /a, from: [ticks], reset_event: [x] }
              - { path: /b, from: [ticks], reset_event: "" }
            """)
        #expect(
            found == [
                "g.yaml:4:45: 'reset_event' must be an event type or false, found a list",
                "g.yaml:5:45: 'reset_event' must be an event type or false, found ''",
            ])
    }

    @Test func aStallTimeoutUnder100msIsAPositionedError() {
        #expect(problems("server:\n  stall_timeout: 10ms\n" + minimal) == ["g.yaml:2:18: 'stall_timeout' must be at least 100ms, found '10ms'"])
    }

    @Test func aRequestTimeoutUnder100msIsAPositionedError() {
        #expect(problems("server:\n  request_timeout: 5ms\n" + minimal) == ["g.yaml:2:20: 'request_timeout' must be at least 100ms, found '5ms'"])
    }

    @Test func readsEveryServerKey() throws {
        let configuration = try load(
            """
            server:
              listen: "[::]:9090"
              heartbeat: 500ms
              retry: 3s
              max_clients: 50
              client_buffer: 64KiB
              stall_timeout: 5s
              cors: { origins: ["https://a.example"] }
              tls: { cert: c.pem, key: k.pem }
              dashboard: false
              metrics: false
            \(minimal)
            """
        ).get()
        let server = configuration.server
        #expect(server.listen == ListenAddress(host: "::", port: 9090))
        #expect(server.heartbeat == .milliseconds(500))
        #expect(server.retry == .seconds(3))
        #expect(server.maxClients == 50)
        #expect(server.clientBuffer == 65536)
        #expect(server.stallTimeout == .seconds(5))
        #expect(server.cors?.origins == ["https://a.example"])
        #expect(server.tls?.cert == "c.pem")
        #expect(!server.dashboard && !server.metrics)
    }

    @Test func threeDifferentMistakesGiveThreePositionedLines() {
        let found = problems(
            """
            server:
              hartbeat: 5s
            sources:
              ticks: { type: generate, interval: soon }
            endpoints:
              - path: /ticks
                from: [tick]
            """)
        #expect(
            found == [
                "g.yaml:2:3: unknown key 'hartbeat' in 'server'. Did you mean 'heartbeat'?",
                "g.yaml:4:38: 'interval' must be a duration like 250ms, 5s, 1m or 2h, found 'soon'",
                "g.yaml:7:12: 'from' names unknown source 'tick'. Did you mean 'ticks'?",
            ])
    }

    @Test func interpolatesTheEnvironmentInStringValues() throws {
        let configuration = try load(
            """
            server: { listen: "${HOST:-127.0.0.2}:${PORT:-9000}" }
            \(minimal)
                auth: { tokens: ["${TOKEN}", "${EMPTY:-fallback}", "$${TOKEN}"] }
            """
        ).get()
        #expect(configuration.server.listen == ListenAddress(host: "127.0.0.2", port: 9000))
        #expect(configuration.endpoints[0].auth?.tokens == ["s3cret", "fallback", "${TOKEN}"])
    }

    @Test func anUnsetVariableWithoutDefaultNamesTheKey() {
        let found = problems(
            """
            \(minimal)
                auth: { tokens: ["${CLIENT_TOKEN}"] }
            """)
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("g.yaml:6:22: environment variable 'CLIENT_TOKEN' is not set (used by 'endpoints[0].auth.tokens[0]')"))
    }

    @Test func anUnclosedOrEmptyReferenceIsAnErrorNotALiteral() {
        let found = problems(
            """
            server: { listen: "127.0.0.1:${PORT" }
            \(minimal)
                auth: { tokens: ["${}"] }
            """)
        #expect(
            found == [
                "g.yaml:1:19: '${' is not closed; write ${NAME} (or $${ for a literal '${') (in 'server.listen')",
                "g.yaml:7:22: '${}' names no variable; write ${NAME} or ${NAME:-default} (in 'endpoints[0].auth.tokens[0]')",
            ])
    }

    @Test func aYAMLSyntaxErrorCarriesItsPosition() {
        let found = problems("sources:\n  a: [unclosed\nendpoints: []\n")
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("g.yaml:3:"))
        #expect(found[0].contains("invalid YAML"))
    }

    @Test func unknownSourceTypesAndTransformsSuggestTheClosestName() {
        let found = problems(
            """
            sources:
              ticks: { type: generat }
            endpoints:
              - path: /ticks
                from: [ticks]
                pipeline:
                  - filtr: { event: x }
            """)
        #expect(found.count == 2)
        #expect(found[0].hasPrefix("g.yaml:2:18: unknown source type 'generat'. Did you mean 'generate'?"))
        #expect(found[1].hasPrefix("g.yaml:7:9: unknown transform 'filtr'."))
    }

    @Test func endpointMistakesAreEachReported() {
        let found = problems(
            """
            sources:
              ticks: { type: generate }
            endpoints:
              - path: ticks
                from: [ticks]
                ids: sequnce
              - path: /healthz
                from: [ticks]
              - path: /a
                from: [ticks]
                replay: lots
              - path: /b
                from: [ticks]
              - path: /b
                from: [ticks]
              - from: [ticks]
            """)
        #expect(
            found == [
                "g.yaml:4:11: 'path' must start with '/' and hold no query, found 'ticks'",
                "g.yaml:6:10: 'ids' must be one of sequence, source, found 'sequnce'. Did you mean 'sequence'?",
                "g.yaml:7:11: 'path' '/healthz' is served by the gateway itself; choose another",
                "g.yaml:11:13: 'replay' must be a whole number, found 'lots'",
                "g.yaml:14:11: duplicate endpoint path '/b' (first declared at g.yaml:12:11)",
                "g.yaml:16:5: endpoint needs 'path'",
            ])
    }

    @Test func missingSectionsAreReported() {
        let found = problems("server: {}\n")
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.hasPrefix("g.yaml:1:1: the configuration needs") })
    }

    @Test func theShippedDefaultConfigurationIsValid() throws {
        let loader = ConfigLoader(registry: .builtins, environment: [:])
        let configuration = try loader.load(file: TestFiles.root + "/gateway.yaml").get()
        #expect(configuration.endpoints.map(\.path).contains("/quotes"))
    }

    @Test func anUnreadableFileIsOneProblemNamingIt() {
        let result = ConfigLoader(registry: .builtins).load(file: "/nonexistent/g.yaml")
        guard case .failure(let errors) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(errors.description == "/nonexistent/g.yaml:1:1: cannot read the configuration file")
    }
}

/// Paths of the repository's own files, found from this source file's location.
enum TestFiles {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()
}
