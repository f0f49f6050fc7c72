import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Testing

/// SPEC §7 in `gateway.yaml`: `http` sources and endpoints' `snapshot`.
@Suite struct PublishAndSnapshotConfigTests {
    let loader = ConfigLoader(registry: .builtins, environment: [:])

    func problems(_ yaml: String) -> [String] {
        switch loader.load(yaml: yaml, file: "g.yaml") {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    func snapshot(_ options: String) -> Result<SnapshotConfig?, ConfigErrors> {
        loader.load(
            yaml: """
                sources:
                  t: { type: generate, interval: 1s }
                endpoints:
                  - path: /tickets
                    from: [t]
                    snapshot: \(options)
                """, file: "g.yaml"
        ).map { $0.endpoints[0].snapshot }
    }

    @Test func aSnapshotReadsItsKeyTombstonesBoundAndEndEvent() throws {
        let full = try snapshot("{ key: data.id, delete_on: [deleted, closed], max_keys: 50, end_event: ready }").get()
        #expect(full?.key == .dataPath(JSONPath("id")!))
        #expect(full?.deleteOn == ["deleted", "closed"])
        #expect(full?.maxKeys == 50)
        #expect(full?.endEvent == "ready")
        let plain = try snapshot("{ key: id }").get()
        #expect(plain?.key == .id)
        #expect(plain?.deleteOn == [])
        #expect(plain?.maxKeys == 100_000)
        #expect(plain?.endEvent == "snapshot-end")
        #expect(try snapshot("{ key: event, end_event: false }").get()?.endEvent == nil)
    }

    @Test func aSnapshotsMistakesAreReportedWhereTheyAre() {
        func errors(_ options: String) -> [String] {
            guard case .failure(let errors) = snapshot(options) else { return [] }
            return errors.problems.map(\.description)
        }
        #expect(errors("{ delete_on: [x] }") == ["g.yaml:6:15: 'snapshot' needs 'key', what names each event's key: id, event or data.PATH (like data.id)"])
        #expect(errors("{ key: data }").first?.contains("'key' must be id, event or data.PATH") == true)
        #expect(errors("{ key: id, max_keys: 0 }").first?.hasPrefix("g.yaml:6:36:") == true)
        #expect(errors("{ key: id, end_event: '' }").first?.contains("'end_event' must be an event type or false") == true)
        #expect(errors("{ key: id, keys: 5 }").first?.contains("unknown key 'keys'") == true)
        #expect(errors("true") == ["g.yaml:6:15: 'snapshot' expects a map of options, found a scalar"])
    }

    @Test func anHTTPSourceNeedsATokenUnlessTheServerListensOnLoopbackOnly() {
        let open = """
            sources:
              pub: { type: http, path: /publish }
            endpoints:
              - { path: /events, from: [pub] }
            """
        #expect(problems(open) == [])
        #expect(problems("server: { listen: '127.0.0.2:9000' }\n" + open) == [])
        let exposed = problems("server: { listen: '0.0.0.0:8080' }\n" + open)
        #expect(exposed.count == 1)
        #expect(exposed.first?.hasPrefix("g.yaml:3:28: an 'http' source needs 'auth: { tokens: [...] }'") == true)
        let withToken = """
            server: { listen: '[::]:8080' }
            sources:
              pub: { type: http, path: /publish, auth: { tokens: [abc] }, max_body: 64KiB }
            endpoints:
              - { path: /events, from: [pub] }
            """
        #expect(problems(withToken) == [])
    }

    @Test func anHTTPSourcesPathMustBeItsOwn() {
        func check(_ path: String, endpoint: String = "/events", channel: String = "") -> [String] {
            problems(
                """
                sources:
                  pub: { type: http, path: \(path) }
                  other: { type: http, path: /taken }
                endpoints:
                  - { path: '\(endpoint)', from: [pub, other]\(channel) }
                """)
        }
        #expect(check("/publish") == [])
        #expect(check("/events").first?.contains("which endpoint '/events' serves") == true)
        #expect(check("/orders/publish", endpoint: "/orders/{id}", channel: ", channel: id").first?.contains("which endpoint '/orders/{id}' serves") == true)
        #expect(check("/orders/a/b", endpoint: "/orders/{id}", channel: ", channel: id") == [])
        #expect(check("/metrics").first?.contains("the gateway answers it itself") == true)
        #expect(check("/_gateway/ticket").first?.contains("the gateway answers it itself") == true)
        #expect(check("/taken") == ["g.yaml:3:30: source 'other' takes requests on '/taken', as source 'pub' already does"])
        #expect(check("publish").first?.contains("'path' must be an absolute URL path") == true)
        #expect(check("/a?b=c").first?.contains("'path' must be an absolute URL path") == true)
    }
}
