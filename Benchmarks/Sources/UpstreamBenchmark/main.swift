// Upstream read throughput: events/s from one SSE upstream through libcurl and the parser into the
// `sse` source's output, on loopback.
//
//     swift run -c release --package-path Benchmarks UpstreamBenchmark           # about 10 s
//     swift run -c release --package-path Benchmarks UpstreamBenchmark --quick   # a smoke run
//
// An in-process origin writes ~105-byte events (id, event type, one JSON data line, like a price feed)
// as fast as the socket takes them, in 64 KiB writes; the `sse` source (built from YAML by the
// built-in registry, exactly as gateway.yaml would) reads them on the CurlClient thread, parses them
// and hands each chunk's events to a SourceOutput that counts them. The clock runs from the request
// to the last event counted. Best of several runs; the CPU time is the whole process's (origin
// included), per million events.

import GatewayCLI
import GatewayConfig
import GatewayPlugin
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let runs = quick ? 1 : 5
let eventCount = quick ? 200_000 : 2_000_000

/// Events 0..<count in the wire format, cut into 64 KiB writes at event boundaries.
func wireChunks(count: Int) -> [[UInt8]] {
    let symbols = ["ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "STARK", "WAYNE", "WONKA"]
    var chunks: [[UInt8]] = []
    var chunk: [UInt8] = []
    chunk.reserveCapacity(65_536 + 256)
    for index in 0..<count {
        let data = #"{"symbol":"\#(symbols[index % symbols.count])","price":\#(90 + index % 20).\#(index % 100),"volume":\#(index % 977),"venue":"XNAS","seq":\#(index)}"#
        chunk += Array("id: \(index)\nevent: quote\ndata: \(data)\n\n".utf8)
        if chunk.count >= 65_536 {
            chunks.append(chunk)
            chunk.removeAll(keepingCapacity: true)
        }
    }
    if !chunk.isEmpty { chunks.append(chunk) }
    return chunks
}

/// A one-connection origin on 127.0.0.1: answers the first request with `chunks`, then closes.
final class Origin: @unchecked Sendable {
    let listener: Int32
    let port: Int
    let chunks: [[UInt8]]
    /// How long to wait after the request before writing the stream (so a client can connect downstream).
    let delay: Duration

    init(chunks: [[UInt8]], port: Int = 0, delay: Duration = .zero) {
        self.delay = delay
        self.chunks = chunks
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        listen(listener, 4)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func serveOnce() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { context in
            let origin = Unmanaged<Origin>.fromOpaque(context!).takeRetainedValue()
            origin.serve()
            return nil
        }, context)
        pthread_detach(thread)
    }

    /// Serves the one connection on the calling thread.
    func serveBlocking() { serve() }

    private func serve() {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        var request = [UInt8](repeating: 0, count: 4096)
        _ = recv(fd, &request, request.count, 0)
        send(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        if delay > .zero { usleep(UInt32(delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000)) }
        for chunk in chunks { send(fd, chunk) }
        close(fd)
        close(listener)
    }

    private func send(_ fd: Int32, _ text: String) { send(fd, Array(text.utf8)) }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// One run: seconds from start to the last event, and the process CPU seconds spent.
func run(chunks: [[UInt8]]) async -> (elapsed: Double, cpu: Double, bytes: Int) {
    let origin = Origin(chunks: chunks)
    origin.serveOnce()
    guard let plugin = PluginRegistry.builtins.sources["sse"] else { fatalError("no sse source") }
    let yaml = "{ url: 'http://127.0.0.1:\(origin.port)/', reconnect: { initial: 10s, max: 10s } }"
    guard case .success(let source) = plugin.make(yaml: yaml) else { fatalError("bad options") }
    let counted = Atomic(0)
    let done = AsyncStream.makeStream(of: Void.self)
    let output = SourceOutput(emit: { events in
        let total = counted.add(events.count, ordering: .relaxed).newValue
        if total >= eventCount { done.continuation.yield() }
    })
    var logger = Logger(label: "benchmark")
    logger.logLevel = .error
    let context = SourceContext(name: "upstream", logger: logger, maxEventSize: 1 << 20, output: output)
    let cpuBefore = cpuSeconds()
    let start = ContinuousClock.now
    let task = Task { try await source.run(context) }
    for await _ in done.stream { break }
    let elapsed = seconds(ContinuousClock.now - start)
    let cpu = cpuSeconds() - cpuBefore
    task.cancel()
    _ = try? await task.value
    return (elapsed, cpu, chunks.reduce(0) { $0 + $1.count })
}

let chunks = wireChunks(count: eventCount)

// `--serve PORT`: only be the origin (for upstream-endpoint.sh): serve one connection with the events,
// three seconds after its request, then exit.
if let index = CommandLine.arguments.firstIndex(of: "--serve"), index + 1 < CommandLine.arguments.count,
    let port = Int(CommandLine.arguments[index + 1])
{
    let origin = Origin(chunks: chunks, port: port, delay: .seconds(3))
    print("origin: \(eventCount) events on http://127.0.0.1:\(origin.port)/", terminator: "\n")
    origin.serveBlocking()
    exit(0)
}
var best: (elapsed: Double, cpu: Double, bytes: Int) = (.infinity, 0, 0)
for _ in 0..<runs {
    let result = await run(chunks: chunks)
    if result.elapsed < best.elapsed { best = result }
}
let eventsPerSecond = Double(eventCount) / best.elapsed
let megabytesPerSecond = Double(best.bytes) / best.elapsed / 1e6
print("upstream read: one SSE upstream → libcurl → SSEParser → sse source output (loopback, best of \(runs))")
print("| events | avg bytes | events/s | MB/s | process CPU-s per million events |")
print("| ---: | ---: | ---: | ---: | ---: |")
print(
    "| \(eventCount) | \(best.bytes / eventCount) | \(Int(eventsPerSecond)) | \(String(format: "%.0f", megabytesPerSecond)) | \(String(format: "%.2f", best.cpu / Double(eventCount) * 1e6)) |"
)
