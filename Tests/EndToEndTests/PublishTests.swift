import Foundation
import Testing

/// One POST on a fresh connection: `Connection: close`, read to the end.
func post(port: Int, _ path: String, contentType: String?, body: String, headers: [String] = []) throws -> RawClient {
    var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
    if let contentType { head += "Content-Type: \(contentType)\r\n" }
    head += headers.map { $0 + "\r\n" }.joined()
    return try fetch(port: port, head + "\r\n" + body)
}

extension EndToEnd {
    /// SPEC §7: the `http` source — events POSTed into the gateway.
    @Suite struct PublishTests {
        static let config = """
            sources:
              pub: { type: http, path: /publish }
            endpoints:
              - path: /events
                from: [pub]
                ids: source
            """

        /// Opens a stream of `/events` and waits for its head.
        static func listen(_ gateway: GatewayProcess, path: String = "/events", headers: [String] = []) throws -> RawClient {
            let client = try RawClient(port: gateway.port)
            client.get(path, headers: headers)
            #expect(client.read(until: { $0.hasHead }))
            return client
        }

        @Test func eachBodyFormatPublishesExactlyTheEventsPosted() throws {
            let gateway = try GatewayProcess(yaml: Self.config)
            defer { gateway.stop() }
            let client = try Self.listen(gateway)
            let posts: [(String, String)] = [
                ("application/json", #"{"event":"one","id":"1","data":"a"}"#),
                ("application/json; charset=utf-8", #"[{"id":"2","data":{"x":1}},{"event":"three","id":"3","data":"line 1\nline 2"}]"#),
                ("application/x-ndjson", "{\"id\":\"4\",\"data\":\"n1\"}\n\n{\"event\":\"five\",\"id\":5,\"data\":[1,2]}\n"),
                ("text/event-stream", "id: 6\nevent: six\ndata: s1\ndata: s2\n\ndata: no id\n\n"),
                ("application/x-www-form-urlencoded", "topic=t&id=8&type=eight&data=f%C3%BCnf+und+mehr"),
            ]
            var accepted = 0
            for (type, body) in posts {
                let answer = try post(port: gateway.port, "/publish", contentType: type, body: body)
                #expect(answer.status == 202, "\(type): \(answer.text)")
                let count = answer.body.firstMatch(of: /"accepted":(\d+)/).flatMap { Int($0.1) } ?? -1
                accepted += count
            }
            #expect(accepted == 8)
            #expect(client.read(until: { $0.events.count >= 8 }))
            #expect(
                client.events == [
                    SSEEvent(id: "1", type: "one", data: ["a"]),
                    SSEEvent(id: "2", type: nil, data: [#"{"x":1}"#]),
                    SSEEvent(id: "3", type: "three", data: ["line 1", "line 2"]),
                    SSEEvent(id: "4", type: nil, data: ["n1"]),
                    SSEEvent(id: "5", type: "five", data: ["[1,2]"]),
                    SSEEvent(id: "6", type: "six", data: ["s1", "s2"]),
                    // No id of its own: none on the wire (a browser keeps the last one it saw).
                    SSEEvent(id: nil, type: nil, data: ["no id"]),
                    SSEEvent(id: "8", type: "eight", data: ["fünf und mehr"]),
                ])
        }

        @Test func aMalformedItemRejectsTheWholeRequestWithItsPositionAndNothingReachesClients() throws {
            let gateway = try GatewayProcess(yaml: Self.config)
            defer { gateway.stop() }
            let client = try Self.listen(gateway)
            let bad = try post(
                port: gateway.port, "/publish", contentType: "application/json",
                body: #"[{"id":"1","data":"a"},{"id":"2","data":"b"},{"id":"3","dta":"c"}]"#)
            #expect(bad.status == 400)
            #expect(bad.body.contains(#""index":2"#))
            #expect(bad.body.contains("unknown key 'dta'"))
            let badLine = try post(port: gateway.port, "/publish", contentType: "application/x-ndjson", body: "{\"data\":\"x\"}\nnot json\n")
            #expect(badLine.status == 400)
            #expect(badLine.body.contains(#""line":2"#))
            let good = try post(port: gateway.port, "/publish", contentType: "application/json", body: #"{"id":"after","data":"ok"}"#)
            #expect(good.status == 202)
            #expect(client.read(until: { !$0.events.isEmpty }))
            // Nothing of the rejected requests came before the good one.
            #expect(client.events.first == SSEEvent(id: "after", type: nil, data: ["ok"]))
            #expect(gateway.log.contains("publish rejected"))
        }

        @Test func tokensSizesTypesAndMethodsAreCheckedBeforeAnythingIsPublished() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      pub: { type: http, path: /publish, max_body: 1KiB, auth: { tokens: [secret-token] } }
                    endpoints:
                      - { path: /events, from: [pub], ids: source }
                    """)
            defer { gateway.stop() }
            let client = try Self.listen(gateway)
            let body = #"{"id":"1","data":"a"}"#
            #expect(try post(port: gateway.port, "/publish", contentType: "application/json", body: body).status == 401)
            #expect(
                try post(port: gateway.port, "/publish", contentType: "application/json", body: body, headers: ["Authorization: Bearer nope"])
                    .status == 403)
            let auth = ["Authorization: Bearer secret-token"]
            let large = #"{"data":"\#(String(repeating: "x", count: 2000))"}"#
            let tooLarge = try post(port: gateway.port, "/publish", contentType: "application/json", body: large, headers: auth)
            #expect(tooLarge.status == 413)
            #expect(try post(port: gateway.port, "/publish", contentType: "text/plain", body: "hello", headers: auth).status == 415)
            #expect(try fetch(port: gateway.port, get: "/publish").status == 405)
            let fine = try post(port: gateway.port, "/publish", contentType: "application/json", body: body, headers: auth)
            #expect(fine.status == 202)
            #expect(client.read(until: { !$0.events.isEmpty }))
            #expect(client.events == [SSEEvent(id: "1", type: nil, data: ["a"])])
            // A large body sent as curl sends it: waiting for `100 Continue` first.
            let waiting = try RawClient(port: gateway.port)
            let payload = #"[\#((0..<20).map { #"{"data":"\#($0)"}"# }.joined(separator: ","))]"#
            waiting.send(
                "POST /publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(payload.utf8.count)\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
            #expect(waiting.read(until: { $0.text.contains("100 Continue\r\n\r\n") }, timeout: 5))
            waiting.send(payload)
            waiting.readToEnd()
            #expect(waiting.text.contains("202 Accepted"))
            #expect(waiting.text.contains(#"{"accepted":20}"#))
        }

        @Test func aThousandPostsFromEightPublishersAllArriveOnceInEachPublishersOrder() throws {
            let gateway = try GatewayProcess(yaml: Self.config)
            defer { gateway.stop() }
            let client = try Self.listen(gateway)
            let publishers = 8
            let each = 125
            let failures = Failures()
            let port = gateway.port
            DispatchQueue.concurrentPerform(iterations: publishers) { publisher in
                for n in 0..<each {
                    let answer = try? post(
                        port: port, "/publish", contentType: "application/json", body: #"{"data":"p\#(publisher) n\#(n)"}"#)
                    if answer?.status != 202 { failures.add("p\(publisher) n\(n): \(answer?.text ?? "no answer")") }
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
            #expect(client.read(until: { $0.events.count >= publishers * each }, timeout: 30))
            var next = Array(repeating: 0, count: publishers)
            var outOfOrder: [String] = []
            for event in client.events {
                guard let match = event.data.first?.firstMatch(of: /p(\d+) n(\d+)/), let publisher = Int(match.1), let n = Int(match.2) else {
                    outOfOrder.append("unexpected \(event.data)")
                    continue
                }
                if n != next[publisher] { outOfOrder.append("p\(publisher): n\(n) where n\(next[publisher]) was due") }
                next[publisher] = n + 1
            }
            #expect(outOfOrder.isEmpty, "\(outOfOrder.prefix(5))")
            #expect(client.events.count == publishers * each)
            #expect(next == Array(repeating: each, count: publishers))
        }

        @Test func thePublishExamplesScriptPostsEveryFormatAndItsBadRequestPublishesNothing() throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let yaml = try String(contentsOf: root.appendingPathComponent("examples/publish/gateway.yaml"), encoding: .utf8)
            let gateway = try GatewayProcess(yaml: yaml)
            defer { gateway.stop() }
            let client = try Self.listen(gateway, path: "/notes")
            let script = Process()
            script.executableURL = root.appendingPathComponent("examples/publish/publish.sh")
            script.environment = ProcessInfo.processInfo.environment.merging(["GATEWAY": "http://127.0.0.1:\(gateway.port)"]) { _, new in new }
            let output = Pipe()
            script.standardOutput = output
            try script.run()
            script.waitUntilExit()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(script.terminationStatus == 0)
            #expect(printed.contains("unknown key 'evnt'"))
            #expect(client.read(until: { $0.events.count >= 8 }))
            usleep(100_000)
            _ = client.readOnce(timeout: 0.1)
            #expect(client.events.count == 8)
            #expect(client.events.allSatisfy { $0.type == "note" })
            #expect(!client.events.contains { $0.data.joined().contains("not sent") })
        }

        /// Collects failures from concurrent publishers.
        final class Failures: @unchecked Sendable {
            private let lock = NSLock()
            private var items: [String] = []
            func add(_ item: String) { lock.withLock { items.append(item) } }
            var all: [String] { lock.withLock { items } }
        }
    }
}
