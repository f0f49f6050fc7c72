// A load client for the fan-out benchmark: opens many SSE connections to one URL on loopback
// and counts the events they receive (an event ends with a blank line, "\n\n"), with poll(2).
//
//   LoadClient --port P [--path /x] [--connections N] [--seconds S] [--warmup W]
//
// Prints one line of JSON: connections opened, still open at the end, and events received per
// second over the measured window (after the warm-up).
import BenchSupport

#if canImport(Glibc)
import Glibc
#endif

var port = 8080
var path = "/"
var connections = 1000
var seconds = 10.0
var warmup = 2.0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next()!)!
    case "--path": path = arguments.next()!
    case "--connections": connections = Int(arguments.next()!)!
    case "--seconds": seconds = Double(arguments.next()!)!
    case "--warmup": warmup = Double(arguments.next()!)!
    default: fatalError("unknown argument \(argument)")
    }
}
signal(SIGPIPE, SIG_IGN)

var fds: [Int32] = []
let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
for _ in 0..<connections {
    let fd = Sockets.connectLoopback(port: port)
    if fd < 0 { break }
    _ = request.withUnsafeBytes { Sockets.writeAll(fd, $0) }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    fds.append(fd)
}
var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
var previous = [UInt8](repeating: 0, count: 65536)  // last byte seen per fd, indexed by fd
var events = 0
var closed = 0
var buffer = [UInt8](repeating: 0, count: 256 * 1024)
let start = Sockets.now()
var measuredFrom = start + warmup
var eventsAtMeasureStart = -1
let end = start + warmup + seconds
while Sockets.now() < end {
    let count = poll(&polled, nfds_t(polled.count), 100)
    if eventsAtMeasureStart < 0 && Sockets.now() >= measuredFrom {
        eventsAtMeasureStart = events
        measuredFrom = Sockets.now()
    }
    guard count > 0 else { continue }
    for index in polled.indices where polled[index].revents != 0 {
        let fd = polled[index].fd
        while true {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got == 0 || (got < 0 && errno != EAGAIN) {
                closed += 1
                close(fd)
                polled[index].fd = -1  // poll ignores negative descriptors
                break
            }
            if got < 0 { break }
            var last = previous[Int(fd)]
            for i in 0..<got {
                let byte = buffer[i]
                if byte == 10 && last == 10 { events += 1 }
                last = byte
            }
            previous[Int(fd)] = last
            if got < buffer.count { break }
        }
    }
}
let measured = Sockets.now() - measuredFrom
let window = eventsAtMeasureStart < 0 ? 0 : events - eventsAtMeasureStart
print(
    "{\"connections\": \(fds.count), \"open_at_end\": \(fds.count - closed), \"events\": \(events), \"events_per_second\": \(Int(Double(window) / max(measured, 0.001)))}"
)
