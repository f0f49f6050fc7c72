import Foundation
import Synchronization
import TestSupport
import Testing

@Suite struct TailCommandTests {
    @Test func printsEachEventAsItArrivesAndReconnectsWithTheLastEventIDUntil204() async throws {
        let release = Locked(false)
        let server = try LoopbackServer { connection in
            if connection.index > 0 {
                connection.respond(status: 204)
                return
            }
            connection.startEventStream()
            connection.write("retry: 20\nid: 1\nevent: quote\ndata: {\"p\":1}\n\n")
            // The next event waits until the test has seen the first one printed.
            for _ in 0..<2000 where !release.withLock({ $0 }) { usleep(5_000) }
            connection.write("id: 2\ndata: line one\ndata: line two\n\n: bye\n\n")
        }
        defer { server.close() }
        let tail = try BackgroundProcess(GatewayBinary.path, ["tail", server.url("/stream")])
        defer { tail.stop() }
        #expect(await eventually { tail.stdout == "id: 1\nevent: quote\ndata: {\"p\":1}\n\n" })
        release.withLock { $0 = true }
        #expect(await tail.waitForExit() == 0)
        #expect(tail.stdout == "id: 1\nevent: quote\ndata: {\"p\":1}\n\nid: 2\ndata: line one\ndata: line two\n\n")
        #expect(server.requests.count == 2)
        #expect(server.requests.last?.header("Last-Event-ID") == "2")
        #expect(tail.stderr.contains("204"))
    }

    @Test func jsonOutputFilteredByTypeWithHeaders() async throws {
        let server = try LoopbackServer { connection in
            if connection.index > 0 {
                connection.respond(status: 204)
                return
            }
            connection.startEventStream(contentType: "text/event-stream; charset=utf-8")
            connection.write("retry: 10\ndata: skipped, a message\n\nid: 7\nevent: alert\ndata: \"quoted\"\ndata: and\ttabbed\n\nevent: alert\ndata: same id\n\n")
        }
        defer { server.close() }
        let tail = try BackgroundProcess(GatewayBinary.path, ["tail", "--json", "--event", "alert", "-H", "Authorization: Bearer t0k", server.url()])
        defer { tail.stop() }
        #expect(await tail.waitForExit() == 0)
        #expect(
            tail.stdout == """
                {"event":"alert","id":"7","data":"\\"quoted\\"\\nand\\ttabbed"}
                {"event":"alert","id":"7","data":"same id"}

                """)
        #expect(server.requests.first?.header("Authorization") == "Bearer t0k")
    }

    @Test func aStatusThatIsNotAStreamExitsWithARuntimeFailure() async throws {
        let server = try LoopbackServer { connection in connection.respond(status: 404, body: "nope") }
        defer { server.close() }
        let tail = try BackgroundProcess(GatewayBinary.path, ["tail", server.url("/missing")])
        defer { tail.stop() }
        #expect(await tail.waitForExit() == 3)
        #expect(tail.stderr.contains("HTTP 404"))
    }

    @Test func aMalformedHeaderIsAUsageError() throws {
        let result = try GatewayBinary.run(["tail", "-H", "NoColonHere", "http://127.0.0.1:1/"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Name: value"))
    }

    @Test func aURLWithoutASchemeIsReadAsHTTPAndAnotherSchemeIsAUsageError() async throws {
        let server = try LoopbackServer { connection in connection.respond(status: 204) }
        defer { server.close() }
        let schemeless = String(server.url("/stream").dropFirst("http://".count))
        let tail = try BackgroundProcess(GatewayBinary.path, ["tail", schemeless])
        defer { tail.stop() }
        #expect(await tail.waitForExit() == 0)
        #expect(server.requests.count == 1)
        let ftp = try GatewayBinary.run(["tail", "ftp://127.0.0.1:1/"])
        #expect(ftp.status == 2)
        #expect(ftp.stderr.contains("is not an http:// or https:// URL"))
    }
}
