import Foundation
import Testing

extension EndToEnd {
    /// SPEC §3 from the wire: the real binary on loopback, read as raw bytes.
    @Suite struct StreamTests {
        static func ticks(interval: String = "1h", heartbeat: String = "15s", replay: Int = 100, extra: String = "") -> String {
            """
            server:
              heartbeat: \(heartbeat)
            sources:
              ticks: { type: generate, interval: \(interval), event: tick, data: 'n={{seq}}' }
            endpoints:
              - path: /ticks
                from: [ticks]
                replay: \(replay)
            \(extra)
            """
        }

        @Test func aStreamOpensWithTheSpecHeadersThenRetryAndOkAtOnce() throws {
            let gateway = try GatewayProcess(yaml: Self.ticks())
            defer { gateway.stop() }
            let client = try RawClient(port: gateway.port)
            client.get("/ticks")
            #expect(client.read(until: { $0.body.hasPrefix("retry: 2000\n:ok\n\n") }, timeout: 5))
            #expect(client.status == 200)
            #expect(client.headers["content-type"] == "text/event-stream; charset=utf-8")
            #expect(client.headers["cache-control"] == "no-cache")
            #expect(client.headers["x-accel-buffering"] == "no")
        }

        @Test func eventsCarryTheirIDTypeAndOneDataLinePerLine() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      typed: { type: generate, interval: 50ms, event: tick, data: "n={{seq}}\\nsecond line" }
                      plain: { type: generate, interval: 50ms, data: 'plain {{seq}}' }
                    endpoints:
                      - { path: /typed, from: [typed] }
                      - { path: /plain, from: [plain] }
                    """)
            defer { gateway.stop() }
            let typed = try RawClient(port: gateway.port)
            typed.get("/typed")
            let plain = try RawClient(port: gateway.port)
            plain.get("/plain")
            #expect(typed.read(until: { $0.events.count >= 2 }))
            #expect(plain.read(until: { $0.events.count >= 2 }))
            let event = typed.events[0]
            let block = "id: \(event.id!)\nevent: tick\ndata: n=\(event.sequence!)\ndata: second line\n\n"
            #expect(typed.body.contains(block))
            #expect(event.id!.wholeMatch(of: /\d+-\d+/) != nil)
            #expect(!plain.body.contains("event:"))
            #expect(plain.events[0].data.count == 1)
        }

        @Test func anIdleStreamGetsHeartbeatComments() throws {
            let gateway = try GatewayProcess(yaml: Self.ticks(heartbeat: "200ms"))
            defer { gateway.stop() }
            let client = try RawClient(port: gateway.port)
            client.get("/ticks")
            #expect(client.read(until: { $0.body.components(separatedBy: ": ping\n\n").count >= 3 }, timeout: 5))
        }

        @Test(arguments: [["Last-Event-ID: %@"], ["?lastEventId=%@"], ["?last_event_id=%@"], ["?evs_last_event_id=%@"]])
        func resumingWhileEventsFlowReplaysWhatFollowsTheIDThenGoesLiveWithNoGapOrDuplicate(_ form: [String]) throws {
            let gateway = try GatewayProcess(yaml: Self.ticks(interval: "2ms", replay: 1000))
            defer { gateway.stop() }
            let first = try RawClient(port: gateway.port)
            first.get("/ticks")
            #expect(first.read(until: { $0.events.count >= 30 }))
            let resumeFrom = first.events[9]
            let id = resumeFrom.id!
            let template = form[0]
            let second = try RawClient(port: gateway.port)
            if template.hasPrefix("?") {
                second.get("/ticks" + template.replacingOccurrences(of: "%@", with: id))
            } else {
                second.get("/ticks", headers: [template.replacingOccurrences(of: "%@", with: id)])
            }
            #expect(second.read(until: { $0.events.count >= 300 }, timeout: 20))
            let sequences = second.events.prefix(300).compactMap(\.sequence)
            let start = resumeFrom.sequence! + 1
            #expect(sequences == Array(start..<(start + 300)))
        }

        @Test func anIDNotHeldGetsEverythingHeldWhenOlderAndNothingWhenItCannotBePlaced() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      ticks: { type: generate, interval: 1ms, count: 30, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks], replay: 5 }
                    """)
            defer { gateway.stop() }
            Thread.sleep(forTimeInterval: 0.5)
            /// The reset notice's reason (if one came first) and the sequences replayed.
            func resume(_ id: String) -> (reset: String?, sequences: [Int]) {
                guard let client = try? RawClient(port: gateway.port) else { return (nil, [-1]) }
                client.get("/ticks", headers: ["Last-Event-ID: \(id)"])
                client.read(until: { _ in false }, timeout: 0.4)
                var events = client.events
                var reason: String?
                if events.first?.type == "reset" {
                    #expect(events[0].id == nil, "the notice leaves the client's last event id as it was")
                    #expect(events[0].data.first?.contains("\"last_event_id\":\"\(id)\"") == true)
                    reason = events.removeFirst().data.first?.firstMatch(of: /"reason":"([a-z_]+)"/).map { String($0.1) }
                }
                return (reason, events.compactMap(\.sequence))
            }
            // An id of an earlier run: everything held.
            #expect(resume("1-1") == ("earlier_run", [26, 27, 28, 29, 30]))
            let epoch = try RawClient(port: gateway.port).flatMapEpoch()
            // Older than the oldest held: everything held. Held: what follows. Unplaceable: nothing.
            #expect(resume("\(epoch)-2") == ("too_old", [26, 27, 28, 29, 30]))
            #expect(resume("\(epoch)-28") == (nil, [29, 30]))
            #expect(resume("\(epoch)-30") == (nil, []))
            #expect(resume("\(epoch)-99") == ("unknown_id", []))
            #expect(resume("garbage") == ("unknown_id", []))
        }

        @Test func withSourceIDsAKnownIDResumesAndAnUnknownOneGoesLive() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      ticks: { type: generate, interval: 1ms, count: 20, id: 'x{{seq}}', data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks], replay: 100, ids: source }
                    """)
            defer { gateway.stop() }
            Thread.sleep(forTimeInterval: 0.5)
            let known = try RawClient(port: gateway.port)
            known.get("/ticks", headers: ["Last-Event-ID: x17"])
            known.read(until: { $0.events.count >= 3 }, timeout: 3)
            #expect(known.events.map(\.id) == ["x18", "x19", "x20"])
            let unknown = try RawClient(port: gateway.port)
            unknown.get("/ticks", headers: ["Last-Event-ID: nope"])
            unknown.read(until: { _ in false }, timeout: 0.4)
            #expect(unknown.hasHead && unknown.events.map(\.type) == ["reset"])
        }

        @Test func theEventQueryKeepsOnlyTheNamedTypes() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      a: { type: generate, interval: 5ms, count: 5, event: a, data: 'n={{seq}}' }
                      b: { type: generate, interval: 5ms, count: 5, event: b, data: 'n={{seq}}' }
                      c: { type: generate, interval: 5ms, count: 5, event: c, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /mixed, from: [a, b, c], replay: 100 }
                    """)
            defer { gateway.stop() }
            Thread.sleep(forTimeInterval: 0.5)
            let client = try RawClient(port: gateway.port)
            client.get("/mixed?event=a,c", headers: ["Last-Event-ID: 0-0"])
            client.read(until: { $0.events.count >= 10 }, timeout: 3)
            client.read(until: { _ in false }, timeout: 0.2)
            // The gap notice is about the stream, not a type of its events: it comes whatever `?event=` says.
            #expect(client.events.first?.type == "reset")
            #expect(client.events.count == 11)
            #expect(Set(client.events.dropFirst().compactMap(\.type)) == ["a", "c"])
        }
    }
}

extension RawClient {
    /// Connects to /ticks from an earlier run and returns this run's EPOCH from the first id.
    func flatMapEpoch() -> String {
        get("/ticks", headers: ["Last-Event-ID: 1-1"])
        read(until: { $0.events.contains { $0.id != nil } }, timeout: 3)
        return events.first { $0.id != nil }.flatMap { $0.id?.split(separator: "-").first.map(String.init) } ?? "?"
    }
}
