import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// SPEC §5 on the wire: three `gateway run` processes on one config and a real `nats-server`
    /// with JetStream, each started by the test on a free port and stopped by pid.
    @Suite(.serialized, .enabled(if: NATSServerProcess.isInstalled, "nats-server is not installed (make test installs it)"))
    struct ClusterTests {
        /// An SSE origin that counts: event N is `id: N`, `data: n=N`, one every `interval`
        /// microseconds, resuming after the `Last-Event-ID` it is sent (an upstream that can replay).
        /// With `channels`, event N's data is `{"c":"cK","n":N}` with K = N mod `channels`.
        static func countingOrigin(interval: UInt32 = 5_000, channels: Int? = nil) throws -> LoopbackServer {
            try LoopbackServer { connection in
                connection.startEventStream()
                var number = Int(connection.request.header("Last-Event-ID") ?? "") ?? 0
                // Bounded: at most 10 minutes of events, and it stops when the gateway goes.
                for _ in 0..<120_000 {
                    number += 1
                    let data = channels.map { "{\"c\":\"c\(number % $0)\",\"n\":\(number)}" } ?? "n=\(number)"
                    guard connection.write("id: \(number)\ndata: \(data)\n\n") else { return }
                    usleep(interval)
                }
            }
        }

        static func config(nats: String, origin: LoopbackServer, lease: String = "2s", replay: Int = 100_000, cache: Int = 1000) -> String {
            """
            server: { dashboard: false, heartbeat: 1s }
            cluster:
              nats: { url: \(nats) }
              name: e2e
              lease: \(lease)
              cache: \(cache)
            sources:
              count: { type: sse, url: '\(origin.url("/count"))', reconnect: { initial: 100ms, max: 1s } }
            endpoints:
              - path: /n
                from: [count]
                log: cluster
                replay: \(replay)
            """
        }

        /// Waits until `gateway` answers `/readyz` with 200 (its stream is open and the engine reachable).
        static func waitUntilReady(_ gateway: GatewayProcess, timeout: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if (try? fetch(port: gateway.port, get: "/readyz"))?.text.hasPrefix("HTTP/1.1 200") == true { return true }
                usleep(100_000)
            }
            return false
        }

        /// Whether `gateway` runs the endpoint's sources now (from `/metrics`).
        static func holdsLease(_ gateway: GatewayProcess) -> Bool {
            ((try? fetch(port: gateway.port, get: "/metrics"))?.body ?? "").contains("gateway_cluster_lease_held{endpoint=\"/n\"} 1")
        }

        /// Waits (at most 20 s) until one of `gateways` runs the endpoint's sources; returns its index.
        static func waitForHolder(_ gateways: [GatewayProcess]) -> Int? {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if let holder = gateways.firstIndex(where: holdsLease) { return holder }
                usleep(100_000)
            }
            return nil
        }

        /// The numbers of the counting events a client got, in order.
        static func numbers(_ client: RawClient) -> [Int] { client.events.compactMap(\.sequence) }

        /// Three gateways on one config, ready.
        static func startThree(nats: NATSServerProcess, origin: LoopbackServer, lease: String = "2s") throws -> [GatewayProcess] {
            let yaml = config(nats: nats.url, origin: origin, lease: lease)
            let gateways = try (0..<3).map { _ in try GatewayProcess(yaml: yaml) }
            for gateway in gateways { #expect(waitUntilReady(gateway), "\(gateway.log)") }
            return gateways
        }

        /// Reads `client` until it has events numbered through `last` (or `timeout` passes).
        static func read(_ client: RawClient, through last: Int, timeout: Double = 20) -> Bool {
            client.read(until: { (numbers($0).last ?? 0) >= last }, timeout: timeout)
        }

        /// Checks `numbers` are `first, first+1, …` with nothing missing or twice.
        static func expectContiguous(_ numbers: [Int], _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
            guard let first = numbers.first else {
                Issue.record("no events \(comment)", sourceLocation: sourceLocation)
                return
            }
            let expected = Array(first..<(first + numbers.count))
            if numbers != expected {
                let firstWrong = zip(numbers, expected).first { $0 != $1 }
                Issue.record(
                    "not contiguous \(comment): \(numbers.count) events from \(first), first difference \(String(describing: firstWrong))",
                    sourceLocation: sourceLocation)
            }
        }

        @Test func aClientResumesOnAnotherInstanceWithNoGapAndNoDuplicateWhileEventsFlow() throws {
            let nats = try NATSServerProcess()
            defer { nats.stop() }
            let origin = try Self.countingOrigin()
            defer { origin.close() }
            let gateways = try Self.startThree(nats: nats, origin: origin)
            defer { for gateway in gateways { gateway.stop() } }

            var lastID: String?
            var all: [Int] = []
            // Four hops: A, B, C, A — each reads 100 events, then the next resumes from its last id.
            for hop in 0..<4 {
                let client = try RawClient(port: gateways[hop % 3].port)
                client.get("/n", headers: lastID.map { ["Last-Event-ID: \($0)"] } ?? [])
                #expect(client.read(until: { $0.events.count >= 100 }, timeout: 20), "hop \(hop)")
                let events = Array(client.events.prefix(100))
                #expect(!events.contains { $0.type == "reset" }, "hop \(hop) got a reset")
                all += events.compactMap(\.sequence)
                lastID = events.last?.id
            }
            #expect(all.count == 400)
            Self.expectContiguous(all, "across four instances")
            // The ids are the stream's: EPOCH-SEQ, the same on every instance.
            #expect(lastID?.firstMatch(of: /^\d{13}-\d+$/) != nil)
        }

        @Test func theLeaseHolderKilledAnotherTakesOverAndASurvivorsClientSeesEveryEventOnce() throws {
            let nats = try NATSServerProcess()
            defer { nats.stop() }
            let origin = try Self.countingOrigin()
            defer { origin.close() }
            let gateways = try Self.startThree(nats: nats, origin: origin)
            defer { for gateway in gateways { gateway.stop() } }
            let holder = try #require(Self.waitForHolder(gateways), "one instance holds the lease")
            #expect(gateways.filter(Self.holdsLease).count == 1)
            let survivor = gateways[(holder + 1) % 3]

            let client = try RawClient(port: survivor.port)
            client.get("/n")
            #expect(client.read(until: { $0.events.count >= 50 }, timeout: 20))
            let beforeKill = Self.numbers(client).last ?? 0
            let killed = Date()
            _ = gateways[holder].terminate(signal: SIGKILL)
            // Another instance takes over within the lease (2 s) + 5 s, and the origin resumes after
            // the last event the cluster stored.
            #expect(client.read(until: { (Self.numbers($0).last ?? 0) > beforeKill + 20 }, timeout: 2 + 5 + 5))
            let tookOver = Date().timeIntervalSince(killed)
            #expect(tookOver < 2 + 5, "takeover took \(tookOver) s")
            #expect(Self.read(client, through: beforeKill + 300))
            Self.expectContiguous(Self.numbers(client), "through the takeover")
            #expect(!client.events.contains { $0.type == "reset" })
            #expect(gateways.enumerated().filter { $0.offset != holder && Self.holdsLease($0.element) }.count == 1)
        }

        @Test func natsServerKilledUnderLoadLosesAndDoublesNothing() throws {
            let nats = try NATSServerProcess()
            defer { nats.stop() }
            let origin = try Self.countingOrigin(interval: 1_000)
            defer { origin.close() }
            let gateways = try Self.startThree(nats: nats, origin: origin, lease: "5s")
            defer { for gateway in gateways { gateway.stop() } }
            let holder = try #require(Self.waitForHolder(gateways), "one instance holds the lease")
            let follower = gateways[(holder + 1) % 3]
            let client = try RawClient(port: follower.port)
            client.get("/n")
            #expect(client.read(until: { $0.events.count >= 200 }, timeout: 20))
            let before = Self.numbers(client).last ?? 0

            nats.kill()
            // While the engine is away: clients stay connected (heartbeats), readiness says why.
            usleep(1_000_000)
            let readiness = try fetch(port: follower.port, get: "/readyz").text
            #expect(readiness.contains("503") && readiness.contains("cluster: unreachable"), "\(readiness)")
            _ = client.read(until: { _ in false }, timeout: 1)
            #expect(!client.closedByPeer)
            try nats.restart()

            #expect(Self.read(client, through: before + 3000, timeout: 30), "delivery resumes after the engine is back")
            Self.expectContiguous(Self.numbers(client), "through the engine's restart")
            // A new client resuming from the start of what this one saw gets the same events.
            let resumed = try RawClient(port: gateways[0].port)
            let firstID = try #require(client.events.first?.id)
            resumed.get("/n", headers: ["Last-Event-ID: \(firstID)"])
            #expect(Self.read(resumed, through: before + 3000))
            Self.expectContiguous(Self.numbers(resumed), "resumed after the restart")
            #expect(Self.numbers(resumed).first == (Self.numbers(client).first ?? 0) + 1)
        }

        @Test func aRestartedInstanceServesTheOldIdsAndAnIdOlderThanTheStreamGetsTheReset() throws {
            let nats = try NATSServerProcess()
            defer { nats.stop() }
            let origin = try Self.countingOrigin()
            defer { origin.close() }
            let yaml = Self.config(nats: nats.url, origin: origin, replay: 500, cache: 100)
            var gateway = try GatewayProcess(yaml: yaml)
            #expect(Self.waitUntilReady(gateway))
            let client = try RawClient(port: gateway.port)
            client.get("/n")
            #expect(client.read(until: { $0.events.count >= 50 }, timeout: 20))
            let events = client.events
            let tenth = try #require(events.dropFirst(9).first?.id)
            let epoch = try #require(tenth.split(separator: "-").first)
            _ = gateway.terminate()
            gateway.stop()

            // A new process: its cache starts at the stream's newest 100; older ids come from the stream.
            gateway = try GatewayProcess(yaml: yaml)
            defer { gateway.stop() }
            #expect(Self.waitUntilReady(gateway))
            let resumed = try RawClient(port: gateway.port)
            resumed.get("/n", headers: ["Last-Event-ID: \(tenth)"])
            #expect(resumed.read(until: { $0.events.count >= 100 }, timeout: 20))
            #expect(!resumed.events.contains { $0.type == "reset" })
            #expect(Self.numbers(resumed).first == events.dropFirst(9).first?.sequence.map { $0 + 1 })
            Self.expectContiguous(Self.numbers(resumed), "from an id of the previous process")

            // The stream keeps 500: once it has moved past, the old id gets the reset and every event held.
            let probe = try RawClient(port: gateway.port)
            probe.get("/n")
            #expect(probe.read(until: { (Self.number(of: $0.events.last?.id) ?? 0) > 800 }, timeout: 30))
            let old = try RawClient(port: gateway.port)
            old.get("/n", headers: ["Last-Event-ID: \(epoch)-5"])
            #expect(old.read(until: { $0.events.count >= 20 }, timeout: 20))
            let reset = try #require(old.events.first)
            #expect(reset.type == "reset")
            #expect(reset.data.first?.contains("\"reason\":\"too_old\"") == true, "\(reset.data)")
            let firstHeld = try #require(old.events.dropFirst().first.flatMap { Self.number(of: $0.id) })
            #expect(firstHeld > 5)
            Self.expectContiguous(old.events.dropFirst().compactMap { Self.number(of: $0.id) }, "everything held after the reset")
        }

        /// N of an id `EPOCH-N`.
        static func number(of id: String?) -> Int? { id.flatMap { $0.split(separator: "-").last }.flatMap { Int($0) } }

        @Test func aChannelResumesOnAnyInstanceFromItsOwnSubject() throws {
            let nats = try NATSServerProcess()
            defer { nats.stop() }
            let origin = try Self.countingOrigin(channels: 3)
            defer { origin.close() }
            let yaml = """
                server: { dashboard: false }
                cluster: { nats: { url: \(nats.url) }, name: e2e, lease: 2s, cache: 10 }
                sources:
                  count: { type: sse, url: '\(origin.url("/count"))' }
                endpoints:
                  - path: /rooms/{room}
                    from: [count]
                    channel: data.c
                    log: cluster
                    replay: 1000
                """
            let gateways = try (0..<3).map { _ in try GatewayProcess(yaml: yaml) }
            defer { for gateway in gateways { gateway.stop() } }
            for gateway in gateways { #expect(Self.waitUntilReady(gateway), "\(gateway.log)") }
            func numbers(_ client: RawClient) -> [Int] {
                client.events.compactMap { $0.data.first?.firstMatch(of: /"n":(\d+)/).flatMap { Int($0.1) } }
            }
            // c1 on A: 30 of its events, each N ≡ 1 (mod 3).
            let first = try RawClient(port: gateways[0].port)
            first.get("/rooms/c1")
            #expect(first.read(until: { numbers($0).count >= 30 }, timeout: 20))
            let seen = Array(numbers(first).prefix(30))
            #expect(seen.allSatisfy { $0 % 3 == 1 })
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $1 == $0 + 3 })
            let fifth = try #require(first.events.dropFirst(4).first?.id)
            let last = try #require(first.events.dropFirst(29).first?.id)

            // On B, from its last id: the next events of c1, none missed, none of another room.
            let resumed = try RawClient(port: gateways[1].port)
            resumed.get("/rooms/c1", headers: ["Last-Event-ID: \(last)"])
            #expect(resumed.read(until: { numbers($0).count >= 20 }, timeout: 20))
            #expect(Array(numbers(resumed).prefix(20)) == (1...20).map { (seen.last ?? 0) + 3 * $0 })

            // On C, from the fifth: older than its cache of 10 per channel, read from c1's subject.
            let old = try RawClient(port: gateways[2].port)
            old.get("/rooms/c1", headers: ["Last-Event-ID: \(fifth)"])
            #expect(old.read(until: { numbers($0).count >= 40 }, timeout: 20))
            #expect(!old.events.contains { $0.type == "reset" })
            #expect(Array(numbers(old).prefix(40)) == (1...40).map { (seen.dropFirst(4).first ?? 0) + 3 * $0 })
        }

        /// `examples/cluster/run.sh`: NATS and three gateways on loopback, the same ids on each,
        /// and everything stopped on Ctrl-C (SIGINT). The test runner's threads block SIGINT and
        /// SIGTERM (they are handled elsewhere), and a child inherits that mask: the script is
        /// started through Python, which unblocks them and restores their defaults first.
        @Test func theClusterExampleServesOnThreePortsAndStopsEverythingOnInterrupt() throws {
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let script = Process()
            let unblocked = """
                import os, signal, sys
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT, signal.SIGTERM])
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.execv("/bin/bash", ["bash", sys.argv[1]])
                """
            TiedProcess.configure(
                script, executable: "/usr/bin/python3",
                arguments: ["-c", unblocked, repository.appendingPathComponent("examples/cluster/run.sh").path])
            script.environment = ProcessInfo.processInfo.environment.merging(["GATEWAY": GatewayProcess.binary]) { _, new in new }
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-example-\(UUID().uuidString).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: log) }
            script.standardOutput = try FileHandle(forWritingTo: log)
            script.standardError = script.standardOutput
            try script.run()
            defer {
                if script.isRunning { kill(script.processIdentifier, SIGKILL) }
                // Whatever the script left behind (only when its own cleanup failed).
                for pattern in ["examples/cluster/gateway.yaml", "nats-server -c /tmp/"] {
                    let pkill = Process()
                    pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
                    pkill.arguments = ["-f", pattern]
                    try? pkill.run()
                    pkill.waitUntilExit()
                }
            }
            // It prints the URLs once every instance is ready.
            var printed = ""
            let deadline = Date().addingTimeInterval(60)
            while !printed.contains("Ctrl-C stops everything"), script.isRunning, Date() < deadline {
                usleep(100_000)
                printed = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            }
            #expect(printed.contains("http://127.0.0.1:8082/quotes"), "\(printed)")
            var first: String?
            for port in [8081, 8082, 8083] {
                let client = try RawClient(port: port)
                client.get("/quotes", headers: first.map { ["Last-Event-ID: \($0)"] } ?? [])
                #expect(client.read(until: { $0.events.contains { $0.type == "quote" } }, timeout: 20), "port \(port)")
                let id = client.events.first { $0.type == "quote" }?.id
                // Each instance resumes from the id the first one gave: the same stream everywhere.
                if first == nil { first = id } else { #expect(!client.events.contains { $0.type == "reset" }, "port \(port)") }
            }
            #expect(first?.firstMatch(of: /^\d{13}-\d+$/) != nil)

            kill(script.processIdentifier, SIGINT)
            let stopped = Date().addingTimeInterval(30)
            while script.isRunning && Date() < stopped { usleep(50_000) }
            #expect(!script.isRunning, "the script stops")
            for port in [4222, 8081, 8082, 8083] {
                #expect((try? RawClient(port: port)) == nil, "nothing listens on \(port) any more")
            }
        }
    }
}
