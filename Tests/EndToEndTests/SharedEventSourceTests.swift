import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// `GET /_gateway/client.js` and its `SharedEventSource`: every tab of an origin shares one
    /// connection, and a hand-over loses and repeats no event (SPEC §6, "one connection per browser").
    @Suite struct SharedEventSourceTests {
        static let python = "/usr/bin/python3"

        @Test func theClientModuleIsServedAsJavaScriptWithCORSEvenWithoutTheDashboard() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    server: { dashboard: false, cors: { origins: ["http://app.example"] } }
                    sources:
                      ticks: { type: generate, interval: 1s }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                    """)
            defer { gateway.stop() }
            let response = try fetch(port: gateway.port, get: "/_gateway/client.js", headers: ["Origin: http://app.example"])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(response.headers["cache-control"] == "public, max-age=300")
            #expect(response.headers["access-control-allow-origin"] == "http://app.example", "a module imported across origins needs CORS")
            #expect(response.body.contains("export class SharedEventSource"))
            #expect(try fetch(port: gateway.port, get: "/").status == 404, "the dashboard is off")
        }

        /// Headless Chromium loads a page with three frames of one origin, each opening
        /// `new SharedEventSource('/ticks')` on the gateway (another origin). The leader goes — its
        /// frame is removed, or its `close()` is called — and the other two must go on with every
        /// id in order, none lost, none twice, while the gateway serves one stream at a time.
        @Test(
            .enabled(if: DashboardBrowserTests.chromium != nil, "needs Debian's chromium"),
            .enabled(if: FileManager.default.isExecutableFile(atPath: python), "needs python3"),
            arguments: ["remove", "close"])
        func framesShareOneStreamAndAHandOverLosesAndRepeatsNoEvent(leaderGoesBy mode: String) throws {
            guard let (result, run) = try Self.runPage(mode: mode) else { return }
            #expect(result.firstLeader != nil)
            #expect(result.frames.count == 2, "the frames left after the leader's: \(result.frames)")
            #expect(result.frames.filter { $0.leader == true }.count == 1, "one of them took the lead: \(result.frames)")
            let handoverAfter = try #require(result.handoverAfter)
            for frame in result.frames {
                let ids = frame.ids
                #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "frame \(frame.i) got every id once, in order: \(ids)")
                #expect(
                    (ids.first ?? .max) <= handoverAfter && (ids.last ?? 0) >= handoverAfter + 10,
                    "frame \(frame.i) ran across the hand-over: \(ids)")
                #expect(frame.opens == 1 && frame.errors == 0, "the hand-over is invisible: \(frame)")
                #expect(frame.readyState == 1)
            }
            // The leader's stream ends as it goes, and the new leader's starts at once on a new
            // connection: until the gateway has read the first one's close, both may count. No
            // poll every 50 ms has seen that here (the old stream is closed before the lock is
            // released), but nothing orders the two connections, so a 2 may show in a few polls,
            // never a 3.
            let open = run.openStreams
            #expect(open.contains(1), "the frames' stream was seen: \(open)")
            #expect((open.max() ?? 0) <= 2, "at most the leader's stream, and its successor during the hand-over: \(open)")
            #expect(open.filter { $0 == 2 }.count * 4 <= open.filter { $0 > 0 }.count, "one stream, not two, most of the time: \(open)")
            // The first leader's stream, and one after the hand-over: no other frame opened its own.
            #expect(run.streamsOpened == 2, "streams opened during the run: \(run.streamsOpened)")
            #expect(run.resumed == 1, "the new leader resumed after the last id it had, an id the gateway held")
        }

        /// Without Web Locks, every frame opens its own EventSource and gets every event.
        @Test(
            .enabled(if: DashboardBrowserTests.chromium != nil, "needs Debian's chromium"),
            .enabled(if: FileManager.default.isExecutableFile(atPath: python), "needs python3"))
        func withoutWebLocksEachFrameFallsBackToItsOwnEventSource() throws {
            guard let (result, run) = try Self.runPage(mode: "fallback") else { return }
            #expect(result.frames.count == 3)
            for frame in result.frames {
                #expect(frame.leader == true, "each owns its connection: \(frame)")
                #expect(zip(frame.ids, frame.ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(frame)")
                #expect(frame.opens == 1 && frame.errors == 0 && frame.readyState == 1, "\(frame)")
            }
            #expect(run.openStreams.contains(3), "three streams at once: \(run.openStreams)")
            #expect(run.streamsOpened == 3)
            #expect(run.resumed == 0)
        }

        /// Serves the test pages from a static server of their own origin, with a gateway whose
        /// `/ticks` has a `tick` every 20 ms (several in flight during a hand-over), and runs the
        /// host page with `?mode=`; `nil` (and an issue recorded) when the page never finished.
        static func runPage(mode: String) throws -> (HandOverResult, BrowserRun)? {
            let pages = FileManager.default.temporaryDirectory.appendingPathComponent("shared-event-source-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: pages) }
            let pageServer = try StaticServer(folder: pages)
            defer { pageServer.stop() }
            let gateway = try GatewayProcess(
                yaml: """
                    server: { cors: { origins: ["\(pageServer.origin)"] } }
                    sources:
                      ticks: { type: generate, interval: 20ms, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                    """)
            defer { gateway.stop() }
            let giveUp = Int(TestTiming.seconds(45) * 1000)
            try SharedEventSourcePages.host.replacingOccurrences(of: "GIVE_UP", with: "\(giveUp)")
                .write(to: pages.appendingPathComponent("host.html"), atomically: true, encoding: .utf8)
            try SharedEventSourcePages.frame.replacingOccurrences(of: "GATEWAY", with: "http://127.0.0.1:\(gateway.port)")
                .write(to: pages.appendingPathComponent("frame.html"), atomically: true, encoding: .utf8)
            // The page finishes in a few seconds; a busy machine may keep it from finishing in
            // time, or Chromium may fail to start: a run that did not finish is tried again.
            var lastDOM = ""
            for attempt in 1...3 {
                if attempt > 1 { Thread.sleep(forTimeInterval: 1) }
                let run = try runChromium(url: "\(pageServer.origin)/host.html?mode=\(mode)", gatewayPort: gateway.port, budget: giveUp + 15000)
                if let result = HandOverResult(dom: run.dom), result.done { return (result, run) }
                lastDOM = run.dom
            }
            Issue.record("the page never finished:\n\(lastDOM)\n\(gateway.log)")
            return nil
        }

        /// What one Chromium run showed: its DOM, the streams of `/ticks` open at each poll of
        /// `/metrics` meanwhile, and how many were opened in all.
        struct BrowserRun {
            var dom: String
            var openStreams: [Int]
            var streamsOpened: Int
            var resumed: Int
        }

        static func runChromium(url: String, gatewayPort: Int, budget: Int) throws -> BrowserRun {
            let before = try StreamCounts(port: gatewayPort)
            let domFile = FileManager.default.temporaryDirectory.appendingPathComponent("dom-\(UUID().uuidString).html")
            _ = FileManager.default.createFile(atPath: domFile.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: domFile) }
            let process = Process()
            TiedProcess.configure(
                process, executable: DashboardBrowserTests.chromium!,
                arguments: ["--headless=new", "--no-sandbox", "--disable-gpu", "--timeout=\(budget)", "--dump-dom", url])
            // A file, not a pipe: nothing has to read it while the metrics are polled.
            process.standardOutput = try FileHandle(forWritingTo: domFile)
            process.standardError = FileHandle.nullDevice
            try process.run()
            var open: [Int] = []
            let deadline = Date().addingTimeInterval(Double(budget) / 1000 + 30)
            while process.isRunning {
                if Date() > deadline {
                    kill(process.processIdentifier, SIGKILL)
                    break
                }
                if let counts = try? StreamCounts(port: gatewayPort) { open.append(counts.open) }
                usleep(50_000)
            }
            process.waitUntilExit()
            // Chromium is gone; its last stream ends once the gateway reads the close.
            var after = try StreamCounts(port: gatewayPort)
            let settled = Date().addingTimeInterval(TestTiming.seconds(10))
            while after.open != 0 && Date() < settled {
                usleep(50_000)
                after = try StreamCounts(port: gatewayPort)
            }
            let dom = (try? String(contentsOf: domFile, encoding: .utf8)) ?? ""
            return BrowserRun(dom: dom, openStreams: open, streamsOpened: after.total - before.total, resumed: after.resumed - before.resumed)
        }
    }
}

/// The streams of `/ticks`, from `/metrics`: open now (`gateway_clients`), opened since the
/// start (those open plus those ended, `gateway_disconnects_total` of every reason), and those
/// that resumed exactly after a Last-Event-ID (`gateway_replay_total{result="resumed"}`).
struct StreamCounts {
    var open: Int
    var total: Int
    var resumed = 0

    init(port: Int) throws {
        let metrics = try fetch(port: port, get: "/metrics").body
        var open: Int?
        var ended = 0
        for line in metrics.split(separator: "\n") {
            if let match = line.wholeMatch(of: /gateway_clients\{endpoint="\/ticks"\} ([0-9.]+)/), let value = Double(match.1) {
                open = Int(value)
            }
            if let match = line.wholeMatch(of: /gateway_disconnects_total\{endpoint="\/ticks",reason="[a-z_]+"\} ([0-9.]+)/),
                let value = Double(match.1)
            {
                ended += Int(value)
            }
            if let match = line.wholeMatch(of: /gateway_replay_total\{endpoint="\/ticks",result="resumed"\} ([0-9.]+)/), let value = Double(match.1) {
                resumed = Int(value)
            }
        }
        guard let open else { throw GatewayProcessError(message: "no gateway_clients for /ticks in:\n\(metrics)") }
        self.open = open
        self.total = open + ended
    }
}

/// What the host page wrote into `<pre id=result>`.
struct HandOverResult: Decodable {
    struct Frame: Decodable, CustomStringConvertible {
        var i: Int
        var leader: Bool?
        var ids: [Int]
        var opens: Int?
        var errors: Int?
        var readyState: Int?
        var description: String { "frame \(i): leader \(leader.map(String.init) ?? "-"), opens \(opens ?? -1), errors \(errors ?? -1), ids \(ids)" }
    }

    var done: Bool
    var firstLeader: Int?
    var handoverAfter: Int?
    var frames: [Frame]

    /// The result in a dumped DOM; `nil` when there is none (Chromium did not run the page).
    init?(dom: String) {
        guard let match = dom.firstMatch(of: /<pre id="result">([^<]*)<\/pre>/) else { return nil }
        let json = String(match.1).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        guard let decoded = try? JSONDecoder().decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = decoded
    }
}

/// Python's `http.server` serving `folder` on a free loopback port, killed by pid when done.
final class StaticServer {
    let process = Process()
    let log: URL
    private(set) var origin = ""

    init(folder: URL) throws {
        log = folder.deletingLastPathComponent().appendingPathComponent("static-server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        // Port 0: the kernel picks a free one, and the server prints it (unbuffered: -u).
        TiedProcess.configure(
            process, executable: EndToEnd.SharedEventSourceTests.python,
            arguments: ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", folder.path])
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(TestTiming.seconds(30))
        while Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /port (\d+)/) {
                origin = "http://127.0.0.1:\(match.1)"
                return
            }
            usleep(20_000)
        }
        stop()
        throw GatewayProcessError(message: "python3 -m http.server did not start")
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }

    deinit { stop() }
}
