import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// SPEC §6: HTTP/2 (h2 over TLS, h2c by prior knowledge) and gzip'd streams, read by curl
    /// and by a hand-written HTTP/2 client that holds one stream's flow-control window shut.
    @Suite struct HTTP2AndCompressionTests {
        static let curl = FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
        static let openssl = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

        static let ticks = """
            sources:
              ticks: { type: generate, interval: 50ms, event: tick, data: '{"n":{{seq}},"status":"shipped","carrier":"postal"}' }
            endpoints:
              - { path: /ticks, from: [ticks] }
            """

        @Test(.enabled(if: curl, "needs curl"))
        func curlReadsAStreamOverH2CWithPriorKnowledge() throws {
            let gateway = try GatewayProcess(yaml: Self.ticks)
            defer { gateway.stop() }
            let result = BackgroundTool.run(
                "/usr/bin/curl", ["-sN", "-i", "--http2-prior-knowledge", "--max-time", "2", "http://127.0.0.1:\(gateway.port)/ticks"])
            #expect(result.output.hasPrefix("HTTP/2 200"), "\(result.output.prefix(200))")
            #expect(result.output.contains("content-type: text/event-stream"))
            #expect(result.output.contains("retry: 2000\n:ok\n\n"))
            #expect(result.output.contains("event: tick\ndata: {\"n\":"))
            // Plain HTTP/1.1 on the same port is untouched.
            #expect(try fetch(port: gateway.port, get: "/healthz").text.hasPrefix("HTTP/1.1 200 OK"))
            #expect(metric(gateway, #"gateway_streams_opened_total{protocol="h2",encoding="identity"}"#) == 1)
        }

        @Test(.enabled(if: curl && openssl, "needs curl and openssl"))
        func overTLSALPNChoosesH2AndHTTP11StaysAvailable() throws {
            let files = try TestCertificate()
            defer { files.remove() }
            let gateway = try GatewayProcess(yaml: files.serverSection + Self.ticks)
            defer { gateway.stop() }
            let url = "https://127.0.0.1:\(gateway.port)/ticks"
            let h2 = BackgroundTool.run("/usr/bin/curl", ["-skN", "-i", "--http2", "--max-time", "2", url])
            #expect(h2.output.hasPrefix("HTTP/2 200"), "\(h2.output.prefix(200))")
            #expect(h2.output.contains("event: tick\ndata: {\"n\":"))
            let http1 = BackgroundTool.run("/usr/bin/curl", ["-skN", "-i", "--http1.1", "--max-time", "2", url])
            #expect(http1.output.hasPrefix("HTTP/1.1 200 OK"))
            #expect(http1.output.contains("event: tick\ndata: {\"n\":"))
        }

        @Test(.enabled(if: curl && openssl, "needs curl and openssl"))
        func tenStreamsShareOneConnection() throws {
            let files = try TestCertificate()
            defer { files.remove() }
            let gateway = try GatewayProcess(yaml: files.serverSection + Self.ticks)
            defer { gateway.stop() }
            let urls = (1...10).map { "https://127.0.0.1:\(gateway.port)/ticks?n=\($0)" }
            // --parallel multiplexes transfers to one host over one HTTP/2 connection (curl does
            // so over TLS; with h2c by prior knowledge it runs them one after another).
            let curl = try BackgroundTool(
                "/usr/bin/curl", ["-skN", "--http2", "--parallel", "--parallel-max", "10", "--max-time", "20"] + urls.flatMap { ["-o", "/dev/null", $0] })
            defer { curl.stop() }
            let all = waitUntil(timeout: 15) { metric(gateway, #"gateway_clients{endpoint="/ticks"}"#, tls: true) == 10 }
            #expect(all, "ten clients of /ticks")
            #expect(metric(gateway, "gateway_http2_connections_total", tls: true) == 1)
            #expect(metric(gateway, #"gateway_streams_opened_total{protocol="h2",encoding="identity"}"#, tls: true) == 10)
        }

        @Test(.enabled(if: curl, "needs curl"), arguments: ["--http1.1", "--http2-prior-knowledge"])
        func gzipStreamsDecodeAndEveryEventArrivesAsItIsPublished(_ version: String) throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      pub: { type: http, path: /publish }
                    endpoints:
                      - { path: /events, from: [pub], ids: source }
                    """)
            defer { gateway.stop() }
            let curl = try BackgroundTool(
                "/usr/bin/curl", ["-sN", "-i", "--compressed", version, "--max-time", "30", "http://127.0.0.1:\(gateway.port)/events"])
            defer { curl.stop() }
            #expect(waitUntil(timeout: 10) { curl.output.contains(":ok\n\n") }, "the opening arrives")
            #expect(curl.output.lowercased().contains("content-encoding: gzip"))
            #expect(curl.output.lowercased().contains("vary: accept-encoding"))
            // One event at a time, nothing after it: each must arrive on its own, decoded.
            for index in 1...5 {
                let body = #"{"id":"\#(index)","event":"order","data":{"order":\#(index),"status":"shipped"}}"#
                let answer = try post(port: gateway.port, "/publish", contentType: "application/json", body: body)
                #expect(answer.text.contains("202"))
                let expected = "id: \(index)\nevent: order\ndata: {\"order\":\(index),\"status\":\"shipped\"}\n\n"
                #expect(waitUntil(timeout: 10) { curl.output.contains(expected) }, "event \(index) arrives alone")
            }
            let encoding = version == "--http1.1" ? "http/1.1" : "h2"
            #expect(metric(gateway, #"gateway_streams_opened_total{protocol="\#(encoding)",encoding="gzip"}"#) == 1)
        }

        @Test(.enabled(if: curl, "needs curl"))
        func onStopH2StreamsEndCleanlyAndTheGzipTrailerChecks() throws {
            let gateway = try GatewayProcess(yaml: Self.ticks)
            let plain = try BackgroundTool("/usr/bin/curl", ["-sN", "--http2-prior-knowledge", "--max-time", "30", "http://127.0.0.1:\(gateway.port)/ticks"])
            let gzip = try BackgroundTool(
                "/usr/bin/curl", ["-sN", "--compressed", "--http2-prior-knowledge", "--max-time", "30", "http://127.0.0.1:\(gateway.port)/ticks"])
            defer {
                plain.stop()
                gzip.stop()
            }
            #expect(waitUntil(timeout: 10) { plain.output.contains("event: tick") && gzip.output.contains("event: tick") })
            #expect(gateway.terminate().status == 0)
            // curl exits 0 only for a stream that ended with END_STREAM, and a gzip body whose trailer checks.
            #expect(plain.wait(timeout: 10) == 0, "\(plain.output.suffix(200))")
            #expect(gzip.wait(timeout: 10) == 0, "\(gzip.output.suffix(200))")
        }

        /// A client reads two streams of one HTTP/2 connection but never opens the first one's
        /// flow-control window: the second gets every event, the first is cut off as stalled.
        @Test func aStreamWhoseWindowStaysShutDoesNotHoldUpItsConnectionsOtherStreams() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    server: { client_buffer: 4KiB, stall_timeout: 1s }
                    sources:
                      ticks: { type: generate, interval: 10ms, event: tick, data: 'n={{seq}} padding to make the event longer' }
                    endpoints:
                      - { path: /ticks, from: [ticks], replay: 10000 }
                    """)
            defer { gateway.stop() }
            let result = BackgroundTool.run("/usr/bin/python3", ["-c", Self.twoStreamClient, "\(gateway.port)", "/ticks", "300"], timeout: 60)
            let counts = result.output.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(counts.count == 2, "\(result.output)")
            guard counts.count == 2 else { return }
            #expect(counts[1] >= 300, "the open stream got every event")
            #expect(counts[0] < 20, "the shut stream got what its window let through: \(counts[0])")
            #expect(waitUntil(timeout: 10) { metric(gateway, #"gateway_disconnects_total{endpoint="/ticks",reason="stalled"}"#) >= 1 })
        }

        /// A minimal HTTP/2 client (RFC 9113 frames, RFC 7541 literal headers): opens streams 1 and
        /// 3 of PATH with a 512-byte initial window, widens the connection's window and stream 3's
        /// as their DATA arrives, never stream 1's; prints the events each stream got once stream 3
        /// has N. Arguments: PORT PATH N.
        static let twoStreamClient = #"""
            import socket, struct, sys, time
            port, path, wanted = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
            def frame(kind, flags, stream, payload=b""):
                return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload
            def literal(name, value):
                return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value
            def headers(stream):
                block = literal(b":method", b"GET") + literal(b":scheme", b"http") + literal(b":path", path) + literal(b":authority", b"127.0.0.1")
                return frame(1, 0x5, stream, block)
            s = socket.create_connection(("127.0.0.1", port))
            s.settimeout(30)
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, struct.pack(">HI", 4, 512)) + frame(8, 0, 0, struct.pack(">I", 1 << 30)))
            s.sendall(headers(1) + headers(3))
            events = {1: 0, 3: 0}
            buffer = b""
            deadline = time.time() + 50
            while events[3] < wanted and time.time() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                while len(buffer) >= 9:
                    length = int.from_bytes(buffer[:3], "big")
                    if len(buffer) < 9 + length:
                        break
                    kind, flags, stream = buffer[3], buffer[4], int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
                    payload, buffer = buffer[9:9 + length], buffer[9 + length:]
                    if kind == 4 and not flags & 1:
                        s.sendall(frame(4, 1, 0))
                    elif kind == 0 and stream in events:
                        events[stream] += payload.count(b"event: tick")
                        if length:
                            update = struct.pack(">I", length)
                            s.sendall(frame(8, 0, 0, update) + (frame(8, 0, 3, update) if stream == 3 else b""))
            print(events[1], events[3])
            """#

        /// The value of the series `name` (with its labels) in `/metrics`, or -1.
        func metric(_ gateway: GatewayProcess, _ name: String, tls: Bool = false) -> Double {
            // Over TLS with curl, in HTTP/1.1: the scrape itself is then no HTTP/2 connection.
            let text =
                tls
                ? BackgroundTool.run("/usr/bin/curl", ["-sk", "--http1.1", "https://127.0.0.1:\(gateway.port)/metrics"]).output
                : (try? fetch(port: gateway.port, get: "/metrics").body) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? -1
        }

        func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(TestTiming.seconds(timeout))
            while Date() < deadline {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return condition()
        }
    }
}

/// A command-line tool run in the background: its output as it comes, its exit status.
///
/// Its output is read by a thread of its own with blocking reads, not with a `FileHandle`'s
/// `readabilityHandler`: those dispatch sources, made and dropped by the dozen (one tool per
/// scrape of `/metrics`), crashed corelibs-foundation's dispatch manager thread on a loaded machine.
final class BackgroundTool: @unchecked Sendable {
    private let process = Process()
    private let received = Locked(Data())
    /// Signalled once the output reached its end.
    private let finished = DispatchSemaphore(value: 0)

    init(_ tool: String, _ arguments: [String]) throws {
        TiedProcess.configure(process, executable: tool, arguments: arguments)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let (handle, received, finished) = (pipe.fileHandleForReading, received, finished)
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                received.withLock { $0.append(data) }
            }
            finished.signal()
        }
    }

    /// Everything written so far.
    var output: String { String(decoding: received.withLock { $0 }, as: UTF8.self) }

    /// The exit status once the tool exits within `timeout` seconds, or `nil` (and it is killed).
    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(TestTiming.seconds(timeout))
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            stop()
            return nil
        }
        // The last bytes: the output ends when the tool's end of the pipe closes.
        _ = finished.wait(timeout: .now() + 5)
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs a tool to its end (killed after `timeout` seconds).
    static func run(_ tool: String, _ arguments: [String], timeout: Double = 30) -> (status: Int32?, output: String) {
        guard let running = try? BackgroundTool(tool, arguments) else { return (nil, "") }
        let status = running.wait(timeout: timeout)
        return (status, running.output)
    }
}

/// A self-signed certificate for 127.0.0.1 and its key, in a folder of their own.
struct TestCertificate {
    let folder: URL
    var cert: String { folder.appendingPathComponent("cert.pem").path }
    var key: String { folder.appendingPathComponent("key.pem").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let made = BackgroundTool.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days",
                "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        guard made.status == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// A `server:` section serving HTTPS with them; more server keys may follow, indented by two.
    var serverSection: String { "server:\n  tls: { cert: \(cert), key: \(key) }\n" }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

extension EndToEnd {
    /// SPEC §6 in a real browser: headless Chromium over HTTPS.
    @Suite struct HTTP2BrowserTests {
        /// Ten EventSources of one page: Chromium negotiates h2 by ALPN, carries the ten streams on
        /// one connection, asks for gzip, and decodes every event.
        @Test(.enabled(if: DashboardBrowserTests.chromium != nil && HTTP2AndCompressionTests.openssl, "needs chromium and openssl"))
        func tenEventSourcesOfAPageShareOneGzippedHTTP2Connection() throws {
            let files = try TestCertificate()
            defer { files.remove() }
            let gateway = try GatewayProcess(
                yaml: files.serverSection + """
                      cors: { origins: ["*"] }
                    sources:
                      ticks: { type: generate, interval: 50ms, event: tick, data: '{"n":{{seq}},"status":"shipped","carrier":"postal"}' }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                    """, extraArguments: ["--log-level", "debug"])
            defer { gateway.stop() }
            let metrics = HTTP2AndCompressionTests()
            // The page comes from an origin of its own (Chromium gives a data: URL's page no
            // EventSource across origins): the streams are read with CORS, as from any site.
            let pages = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-h2-page-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: pages) }
            let site = try StaticServer(folder: pages)
            defer { site.stop() }
            var result = ""
            // A busy machine can keep the page from finishing within one budget: try a few, longer each time.
            for budget in [10000, 20000, 30000].map({ Int(TestTiming.seconds(Double($0))) }) where !result.contains("\"done\":true") {
                let page = Self.page(gateway: "https://127.0.0.1:\(gateway.port)", giveUpMilliseconds: budget - 2000)
                try page.write(to: pages.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
                let dom = try DashboardBrowserTests.renderedDOM(
                    url: site.origin + "/index.html", budgetMilliseconds: budget, extraArguments: ["--ignore-certificate-errors"])
                result = dom.components(separatedBy: "<pre id=\"result\">").dropFirst().first?.components(separatedBy: "</pre>").first ?? ""
            }
            struct Outcome: Decodable {
                let done: Bool
                let counts: [Int]
                let decoded: [Bool]
            }
            let outcome = try JSONDecoder().decode(Outcome.self, from: Data(result.replacingOccurrences(of: "&quot;", with: "\"").utf8))
            #expect(outcome.done, "\(result)")
            #expect(outcome.counts.count == 10 && outcome.counts.allSatisfy { $0 >= 5 }, "\(outcome.counts)")
            #expect(outcome.decoded.allSatisfy { $0 }, "every event's data parsed as the JSON sent")
            let opened = metrics.metric(gateway, #"gateway_streams_opened_total{protocol="h2",encoding="gzip"}"#, tls: true)
            #expect(opened >= 10, "the page's streams are h2 and gzip'd: \(opened)")
            // The streams' connections, by the client's address and port: one carries all ten of a
            // page. (Chromium may open spare connections to a server it does not yet know speaks
            // HTTP/2; once one has negotiated h2 every stream goes there, and the spares carry none.)
            let streamsByConnection = Dictionary(
                grouping: gateway.log.split(separator: "\n").filter { $0.contains("stream opened") && $0.contains("endpoint=/ticks") }
                    .compactMap { $0.firstMatch(of: /client\.address=(\S+)/).map { String($0.1) } }, by: { $0 }
            ).mapValues(\.count)
            #expect(streamsByConnection.values.contains(10), "streams per connection: \(streamsByConnection)")
        }

        /// Opens ten EventSources of `/ticks`; `<pre id=result>` holds, as JSON, how many events
        /// each got and whether each one's data parsed. The page's load is held (a frame's document
        /// left open) until all have five events, so `--dump-dom` dumps it then.
        static func page(gateway: String, giveUpMilliseconds: Int) -> String {
            """
            <!doctype html>
            <meta charset="utf-8">
            <pre id="result">{"done":false,"counts":[],"decoded":[]}</pre>
            <iframe id="hold"></iframe>
            <script>
              const hold = document.getElementById('hold').contentDocument;
              hold.open();
              const counts = new Array(10).fill(0), decoded = new Array(10).fill(true);
              const sources = counts.map((_, i) => {
                const source = new EventSource('\(gateway)/ticks?page=' + i);
                source.addEventListener('tick', (event) => {
                  counts[i]++;
                  try { if (typeof JSON.parse(event.data).n !== 'number') decoded[i] = false; } catch (error) { decoded[i] = false; }
                });
                return source;
              });
              const show = (done) => {
                document.getElementById('result').textContent = JSON.stringify({ done, counts, decoded });
              };
              const finish = (done) => { clearInterval(timer); show(done); sources.forEach((source) => source.close()); hold.close(); };
              const timer = setInterval(() => { show(false); if (counts.every((count) => count >= 5)) finish(true); }, 50);
              setTimeout(() => finish(false), \(giveUpMilliseconds));
            </script>
            """
        }
    }
}
