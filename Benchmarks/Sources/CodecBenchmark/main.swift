// Throughput of the EventStream SSE codec: parse and encode, small and large events.
//
//     swift run -c release --package-path Benchmarks CodecBenchmark           # about 15 s
//     swift run -c release --package-path Benchmarks CodecBenchmark --quick   # a sub-second smoke run
//
// Each figure is the best of several runs on one core. Parsing reads the stream in 64 KiB chunks, as a
// network read would hand it over; small events are ~100 bytes with an id, a type and one data line, like a
// price feed; large events have one 64 KiB data line, ASCII or mostly multi-byte UTF-8 (which costs more to
// validate when the parser builds the data string).

import EventStream

let quick = CommandLine.arguments.contains("--quick")
let runs = quick ? 1 : 5
let targetSeconds = quick ? 0.03 : 0.5

/// Keeps the optimiser from dropping work whose result is otherwise unused.
@inline(never)
func blackHole<T>(_ value: T) {}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Runs `body` (which processes `bytes` bytes and `events` events) repeatedly for about `targetSeconds`,
/// `runs` times, and returns the best rates.
func measure(bytes: Int, events: Int, _ body: () -> Void) -> (megabytesPerSecond: Double, eventsPerSecond: Double) {
    let clock = ContinuousClock()
    body()  // warm up: page in buffers, grow the parser's.
    var iterations = 1
    while seconds(clock.measure { for _ in 0..<iterations { body() } }) < targetSeconds / 4 {
        iterations *= 2
    }
    iterations = max(1, Int(Double(iterations) * targetSeconds / max(seconds(clock.measure { body() }) * Double(iterations), 1e-9)))
    var best = Double.infinity
    for _ in 0..<runs {
        best = min(best, seconds(clock.measure { for _ in 0..<iterations { body() } }) / Double(iterations))
    }
    return (Double(bytes) / best / 1e6, Double(events) / best)
}

// MARK: Inputs

func smallEvent(_ index: Int) -> Event {
    let price = 9000 + index % 2000
    return Event(
        id: "\(1_700_000_000 + index)",
        event: "quote",
        data: #"{"symbol":"ACME","price":\#(price / 100).\#(price % 100),"volume":\#(index % 977),"venue":"XNYS","seq":\#(index)}"#
    )
}

let smallEvents = (0..<10_000).map(smallEvent)
let largeEvents = (0..<16).map { index in
    Event(id: "\(index)", event: "blob", data: String(repeating: "0123456789abcdef", count: 4096 - 1) + "\(index % 10)".padding(16))
}

let largeUnicodeEvents = (0..<16).map { index in
    Event(id: "\(index)", event: "blob", data: String(repeating: "é€😀日本語 ", count: 65_536 / 19))  // 19 bytes
}

extension String {
    func padding(_ length: Int) -> String { self + String(repeating: " ", count: max(0, length - count)) }
}

func stream(of events: [Event]) -> [UInt8] {
    var bytes: [UInt8] = []
    for event in events { SSEEncoder.encode(event, into: &bytes) }
    return bytes
}

func chunked(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
    stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}

let smallStream = stream(of: smallEvents)
let largeStream = stream(of: largeEvents)
let smallChunks = chunked(smallStream, size: 64 * 1024)
let largeChunks = chunked(largeStream, size: 64 * 1024)
let largeUnicodeStream = stream(of: largeUnicodeEvents)
let largeUnicodeChunks = chunked(largeUnicodeStream, size: 64 * 1024)

// MARK: Benchmarks

func parse(_ chunks: [[UInt8]]) -> () -> Void {
    {
        var parser = SSEParser()
        var count = 0
        for chunk in chunks {
            chunk.withUnsafeBytes { bytes in
                parser.parse(bytes) { output in
                    if case .event(let event) = output { count &+= event.data.utf8.count }
                }
            }
        }
        blackHole(count)
    }
}

func encode(_ events: [Event]) -> () -> Void {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(128 * 1024)
    return {
        var total = 0
        for event in events {
            buffer.removeAll(keepingCapacity: true)
            SSEEncoder.encode(event, into: &buffer)
            total &+= buffer.count
        }
        blackHole(total)
    }
}

let results: [(String, (megabytesPerSecond: Double, eventsPerSecond: Double))] = [
    ("parse ~\(smallStream.count / smallEvents.count) B events", measure(bytes: smallStream.count, events: smallEvents.count, parse(smallChunks))),
    ("parse 64 KiB events", measure(bytes: largeStream.count, events: largeEvents.count, parse(largeChunks))),
    ("parse 64 KiB UTF-8 events", measure(bytes: largeUnicodeStream.count, events: largeUnicodeEvents.count, parse(largeUnicodeChunks))),
    ("encode ~\(smallStream.count / smallEvents.count) B events", measure(bytes: smallStream.count, events: smallEvents.count, encode(smallEvents))),
    ("encode 64 KiB events", measure(bytes: largeStream.count, events: largeEvents.count, encode(largeEvents))),
]

func column(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

func format(_ value: Double) -> String {
    let rounded = Int(value + 0.5)
    var digits = String(rounded)
    var grouped = ""
    while digits.count > 3 {
        grouped = "," + digits.suffix(3) + grouped
        digits.removeLast(3)
    }
    return digits + grouped
}

print("CodecBenchmark\(quick ? " (--quick: rough figures)" : "") — one core, best of \(runs)")
print("benchmark".padding(26) + column("MB/s", 10) + column("events/s", 14))
for (name, rate) in results {
    print(name.padding(26) + column(format(rate.megabytesPerSecond), 10) + column(format(rate.eventsPerSecond), 14))
}
