import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The dashboard in a real browser: headless Chromium (Debian's `chromium`) renders the page,
/// which connects to the status stream and draws one card per endpoint.
@Suite(.serialized) struct DashboardBrowserTests {
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium!)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--timeout=5000", "--dump-dom", "http://127.0.0.1:\(gateway.port)/",
        ]
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
        #expect(dom.contains("data-path=\"/ticks\""))
        #expect(dom.contains("data-path=\"/other\""))
        #expect(dom.contains(">live<"), "the page's EventSource is connected")
        #expect(dom.contains("n="), "recent events are listed")
    }
}
