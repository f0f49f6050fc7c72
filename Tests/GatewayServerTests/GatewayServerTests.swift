import GatewayPlugin
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Foundation
import Testing
import TestSupport

@testable import GatewayServer

#if canImport(Glibc)
import Glibc
#endif

/// A source that waits for the test's go-ahead, emits its events, and asks the gateway to stop
/// (as `stdin` with `on_eof: exit` does).
struct ScriptedSource: Source {
    let events: [Event]
    let go: AsyncStream<Void>
    var summary: String { "scripted" }

    func run(_ context: SourceContext) async throws -> SourceCompletion {
        context.output.markReady()
        for await _ in go { break }
        context.output.emit(events)
        return .stopGateway
    }
}

@Suite struct GatewayServerTests {
    @Test func aSourceThatAsksToStopEndsTheGatewayOnceClientsHaveTheLastEvent() async throws {
        let (go, start) = AsyncStream.makeStream(of: Void.self)
        let events = (1...50).map { Event(event: "line", data: "line \($0)") }
        var server = ServerSettings()
        server.listen = ListenAddress(host: "127.0.0.1", port: 0)
        let settings = GatewaySettings(
            server: server,
            sources: [SourceSettings(name: "lines", type: "scripted", source: ScriptedSource(events: events, go: go))],
            endpoints: [EndpointSettings(path: "/lines", sources: ["lines"], replay: 0)])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let gateway = try GatewayServer(settings: settings, group: group, logger: Logger(label: "test"))
        let address = try await gateway.bind()
        let services = gateway.serviceGroup()
        let running = Task { try await services.run() }

        // Blocking reads run on their own thread: on the cooperative pool they could starve
        // the gateway's own tasks when the machine is busy.
        let port = address.port!
        let received: String = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let client = try BlockingClient(port: port)
                    client.send("GET /lines HTTP/1.1\r\nHost: x\r\n\r\n")
                    _ = client.read(until: ":ok\n\n")
                    start.yield()
                    continuation.resume(returning: client.readToEnd())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        try await running.value
        let body = try #require(ChunkedBody(response: Array(received.utf8)))
        #expect(body.isComplete, "the stream ends with the last chunk")
        #expect(body.text.hasSuffix("data: line 50\n\n"))
        #expect(body.text.components(separatedBy: "event: line\n").count == 51)
        try await group.shutdownGracefully()
    }
}

/// A blocking loopback socket, read with a time limit.
final class BlockingClient {
    let fd: Int32
    private var receivedBytes: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 { throw IOError(errnoCode: errno, reason: "connect") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    }

    /// Reads until the text received contains `marker` (each read waits at most 10 s).
    func read(until marker: String) -> Bool {
        while !received.contains(marker) {
            if !readOnce() { return false }
        }
        return true
    }

    /// Everything received so far, as text.
    var received: String { String(decoding: receivedBytes, as: UTF8.self) }

    /// Reads until the server closes the connection; returns everything received.
    func readToEnd() -> String {
        while readOnce() {}
        return received
    }

    func readOnce() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        guard count > 0 else { return false }
        receivedBytes.append(contentsOf: chunk[0..<count])
        return true
    }
}

/// A transform that takes `delay` over every event: a pathological plugin.
final class SlowTransform: Transform {
    let delay: Double
    init(delay: Double) { self.delay = delay }
    func process(_ event: Event, into output: inout [Event]) {
        Thread.sleep(forTimeInterval: delay)
        output.append(event)
    }
}

/// A source that emits `count` events, one every `interval`, recording how long each `emit` took.
struct TimedSource: Source {
    let count: Int
    let interval: Duration
    let emitTimes: NIOLockedValueBox<[Double]>
    var summary: String { "timed" }

    func run(_ context: SourceContext) async throws -> SourceCompletion {
        context.output.markReady()
        let clock = ContinuousClock()
        for number in 1...count {
            let start = clock.now
            context.output.emit([Event(event: "n", data: "n=\(number)")])
            let took = clock.now - start
            emitTimes.withLockedValue { $0.append(Double(took.components.attoseconds) / 1e18 + Double(took.components.seconds)) }
            try await Task.sleep(for: interval)
        }
        try await Task.sleep(for: .seconds(3600))
        return .finished
    }
}

@Suite struct EndpointIsolationTests {
    @Test func aSlowTransformDelaysNeitherItsSourceNorAnotherEndpointFedByAnotherSource() async throws {
        var server = ServerSettings()
        server.listen = ListenAddress(host: "127.0.0.1", port: 0)
        let slowEmits = NIOLockedValueBox<[Double]>([])
        let quickEmits = NIOLockedValueBox<[Double]>([])
        let slowStep = EndpointSettings.Step(name: "slow", factory: TransformFactory(summary: "slow") { SlowTransform(delay: 0.2) })
        let settings = GatewaySettings(
            server: server,
            sources: [
                SourceSettings(name: "a", type: "timed", source: TimedSource(count: 20, interval: .milliseconds(10), emitTimes: slowEmits)),
                SourceSettings(name: "b", type: "timed", source: TimedSource(count: 20, interval: .milliseconds(10), emitTimes: quickEmits)),
            ],
            endpoints: [
                EndpointSettings(path: "/slow", sources: ["a"], pipeline: [slowStep], replay: 100),
                EndpointSettings(path: "/quick", sources: ["b"], replay: 100),
            ])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let gateway = try GatewayServer(settings: settings, group: group, logger: Logger(label: "test"))
        let address = try await gateway.bind()
        let services = gateway.serviceGroup()
        let running = Task { try await services.run() }
        let port = address.port!
        // Every event of /quick arrives while /slow's 20 events (4 s of work) are still in its pipeline.
        let (quick, metrics): (String, String) = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let client = try BlockingClient(port: port)
                    client.send("GET /quick HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 0-0\r\n\r\n")
                    _ = client.read(until: "data: n=20\n")
                    let scrape = try BlockingClient(port: port)
                    scrape.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    continuation.resume(returning: (client.received, scrape.readToEnd()))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        #expect(quick.contains("data: n=20\n"))
        // /quick has all its events while /slow (0.2 s per event) is still working through its 20.
        let slowPublished = metrics.split(separator: "\n").first { $0.hasPrefix(#"gateway_endpoint_events_total{endpoint="/slow"}"#) }
        let slowCount = slowPublished.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
        #expect(slowCount.map { $0 < 20 } == true, "/slow had published \(slowCount.map(String.init) ?? "?") of 20")
        // The slow endpoint's source handed its events over without waiting for the pipeline.
        #expect(slowEmits.withLockedValue { $0.count } >= 10)
        #expect(slowEmits.withLockedValue { $0.max() ?? 1 } < 0.1)
        await services.triggerGracefulShutdown()
        try await running.value
        try await group.shutdownGracefully()
    }
}
