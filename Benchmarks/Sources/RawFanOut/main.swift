// The floor the fan-out benchmark compares against: accept N connections, then write each
// event to every connection with one write(2) per client, and report the CPU it took.
//
//   RawFanOut [--connections N] [--rate EVENTS_PER_SECOND] [--seconds S] [--size BYTES]
//
// Prints the port on the first line (for LoadClient), then one line of JSON.
import BenchSupport

#if canImport(Glibc)
import Glibc
#endif

var connections = 1000
var rate = 100.0
var seconds = 10.0
var size = 120
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--connections": connections = Int(arguments.next()!)!
    case "--rate": rate = Double(arguments.next()!)!
    case "--seconds": seconds = Double(arguments.next()!)!
    case "--size": size = Int(arguments.next()!)!
    default: fatalError("unknown argument \(argument)")
    }
}
signal(SIGPIPE, SIG_IGN)
let listener = Sockets.listenLoopback(port: 0)
// Written straight to fd 1 so a script reading the file sees it at once (print buffers).
let portLine = Array("port \(listener.port)\n".utf8)
_ = portLine.withUnsafeBytes { Sockets.writeAll(1, $0) }
let head = Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nretry: 2000\n:ok\n\n".utf8)
var clients: [Int32] = []
var scratch = [UInt8](repeating: 0, count: 4096)
while clients.count < connections {
    let fd = accept(listener.fd, nil, nil)
    if fd < 0 { continue }
    // Like the gateway: no Nagle delay, so each event leaves at once.
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    _ = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    _ = head.withUnsafeBytes { Sockets.writeAll(fd, $0) }
    clients.append(fd)
}
// An event of `size` bytes, shaped like the gateway's.
var sequence = 0
let eventSize = size
let event = { @Sendable (sequence: Int) -> [UInt8] in
    var text = "id: 1700000000000-\(sequence)\nevent: tick\ndata: "
    let padding = max(0, eventSize - text.utf8.count - 2)
    text += String(repeating: "x", count: padding) + "\n\n"
    return Array(text.utf8)
}
let interval = 1.0 / rate
let start = Sockets.now()
let cpuStart = Sockets.cpuSeconds()
var writes = 0
var next = start
while Sockets.now() - start < seconds {
    sequence += 1
    let bytes = event(sequence)
    bytes.withUnsafeBytes { raw in
        for fd in clients where Sockets.writeAll(fd, raw) { writes += 1 }
    }
    next += interval
    let wait = next - Sockets.now()
    if wait > 0 { usleep(UInt32(wait * 1e6)) }
}
let cpu = Sockets.cpuSeconds() - cpuStart
let elapsed = Sockets.now() - start
print(
    "{\"writes\": \(writes), \"writes_per_second\": \(Int(Double(writes) / elapsed)), \"cpu_seconds\": \(cpu), \"cpu_seconds_per_million\": \(cpu / Double(writes) * 1e6)}"
)
