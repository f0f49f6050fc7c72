import GatewayCLI
import GatewayConfig
import GatewayPlugin

/// Any text as a `filter` step's options: compiled (regexes included) or refused with a
/// positioned problem; a matcher that compiles is run on a few events without trapping.
func fuzzMatcher(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    guard case .success(let factory) = filter.prepare(yaml: text, file: "fuzz.yaml") else { return 0 }
    let transform = factory.make()
    var output: [Event] = []
    for event in events { transform.process(event, into: &output) }
    return 0
}

private let filter = PluginRegistry.builtins.transforms["filter"]!

private let events = [
    Event(id: "1", event: "quote", data: #"{"symbol":"ACME","price":101.5,"tags":["a","b"],"nested":{"ok":true,"n":null}}"#),
    Event(data: "not json"),
    Event(id: "", event: "", data: ""),
    Event(event: "alert", data: #"[1,2,{"level":"error"}]"#),
]
