import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// The dashboard in a real browser: headless Chromium (Debian's `chromium`) renders the page,
    /// which connects to the status stream and draws one card per endpoint.
    @Suite struct DashboardBrowserTests {
        static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

        @Test(.enabled(if: chromium != nil, "needs Debian's chromium"))
        func headlessChromiumRendersALiveCardForEveryEndpoint() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      ticks: { type: generate, interval: 100ms, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                      - { path: /other, from: [ticks] }
                    """)
            defer { gateway.stop() }
            let viewer = try RawClient(port: gateway.port)
            viewer.get("/ticks")
            // Let a snapshot with the viewer and some events be published before the browser looks.
            let status = try RawClient(port: gateway.port)
            status.get("/_gateway/status")
            #expect(status.read(until: { $0.events.count >= 2 }, timeout: 10))
            // A busy machine can keep the page from connecting within one budget: try a few, longer each time.
            var dom = ""
            // Chromium also dumps the page early when the machine is busy: pause between tries.
            for budget in [5000, 10000, 20000, 20000, 20000].map({ Int(TestTiming.seconds(Double($0))) }) where !dom.contains("data-path=\"/other\"") {
                if !dom.isEmpty { Thread.sleep(forTimeInterval: 1) }
                dom = try Self.renderedDOM(url: "http://127.0.0.1:\(gateway.port)/", budgetMilliseconds: budget)
            }
            #expect(dom.contains("data-path=\"/ticks\""))
            #expect(dom.contains("data-path=\"/other\""))
            #expect(dom.contains(">live<"), "the page's EventSource is connected")
            #expect(dom.contains("n="), "recent events are listed")
        }

        /// The page's DOM after Chromium has run it for `budgetMilliseconds` (or once it has loaded).
        static func renderedDOM(url: String, budgetMilliseconds: Int, extraArguments: [String] = []) throws -> String {
            let process = Process()
            TiedProcess.configure(
                process, executable: chromium!,
                arguments: ["--headless=new", "--no-sandbox", "--disable-gpu", "--timeout=\(budgetMilliseconds)"] + extraArguments + [
                    "--dump-dom", url,
                ])
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let pid = process.processIdentifier
            let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
            let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            watchdog.cancel()
            return dom
        }
    }
}
