// Cost per event of a transform pipeline, measured on the same steps users write in gateway.yaml:
//
//     swift run -c release --package-path Benchmarks PipelineBenchmark           # about 10 s
//     swift run -c release --package-path Benchmarks PipelineBenchmark --quick   # a smoke run
//
// Events are ~110-byte JSON quotes; half pass the filter. Each figure is the best of several runs on
// one core, in nanoseconds per event entering the pipeline, and the events/s that makes.

import GatewayCLI
import GatewayConfig
import GatewayPlugin

let quick = CommandLine.arguments.contains("--quick")
let runs = quick ? 1 : 5
let eventCount = quick ? 20_000 : 200_000

@inline(never)
func blackHole<T>(_ value: T) {}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

let symbols = ["ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "STARK", "WAYNE", "WONKA"]
let events = (0..<eventCount).map { index in
    Event(
        id: "\(index)", event: "quote",
        data: #"{"symbol":"\#(symbols[index % symbols.count])","price":\#(90 + index % 20).\#(index % 100),"volume":\#(index % 977),"seq":\#(index)}"#)
}

/// Builds the pipeline described by `steps` (YAML, one step per element) from the built-in plugins.
func pipeline(_ steps: [(String, String)]) -> [any Transform] {
    steps.map { name, yaml in
        guard let plugin = PluginRegistry.builtins.transforms[name] else { fatalError("no transform \(name)") }
        switch plugin.prepare(yaml: yaml) {
        case .success(let factory): return factory.make()
        case .failure(let errors): fatalError("\(errors)")
        }
    }
}

/// Runs every event through `transforms` in order, as an endpoint does, and returns seconds per event.
func measure(_ steps: [(String, String)]) -> Double {
    var best = Double.infinity
    for _ in 0..<runs {
        let transforms = pipeline(steps)
        var current: [Event] = []
        var next: [Event] = []
        current.reserveCapacity(4)
        next.reserveCapacity(4)
        var delivered = 0
        let elapsed = ContinuousClock().measure {
            for event in events {
                current.removeAll(keepingCapacity: true)
                current.append(event)
                for transform in transforms {
                    next.removeAll(keepingCapacity: true)
                    for item in current { transform.process(item, into: &next) }
                    swap(&current, &next)
                }
                delivered += current.count
            }
        }
        blackHole(delivered)
        best = min(best, seconds(elapsed) / Double(events.count))
    }
    return best
}

let cases: [(String, [(String, String)])] = [
    ("filter on event type", [("filter", "{ event: quote }")]),
    ("filter on data.price (JSON)", [("filter", "{ data.price: { gte: 100 } }")]),
    ("rename", [("rename", "{ quote: price }")]),
    ("dedupe by id", [("dedupe", "{ by: id, window: 10000 }")]),
    (
        "filter data.PATH → rename → dedupe",
        [("filter", "{ event: quote, data.price: { gte: 100 } }"), ("rename", "{ quote: price }"), ("dedupe", "{ by: id }")]
    ),
]

print("pipeline step                          ns/event     events/s")
print("-------------------------------------  --------  -----------")
for (name, steps) in cases {
    let perEvent = measure(steps)
    let nanoseconds = perEvent * 1e9
    let rate = 1 / perEvent
    let nsText = String(Int(nanoseconds.rounded()))
    let rateText = String(Int(rate.rounded()))
    print(name.padding(37) + "  " + String(repeating: " ", count: max(0, 8 - nsText.count)) + nsText + "  "
        + String(repeating: " ", count: max(0, 11 - rateText.count)) + rateText)
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
