import GatewayCLI
import GatewayConfig
import GatewayPlugin

/// Any text as `gateway.yaml`, loaded with every built-in plugin: a configuration or a list
/// of positioned problems, never a crash, a hang or a blow-up (aliases, huge numbers).
func fuzzConfig(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    switch loader.load(yaml: text, file: "fuzz.yaml") {
    case .success:
        break
    case .failure(let errors):
        precondition(!errors.problems.isEmpty, "a failed load must say why")
        for problem in errors.problems { _ = problem.description }
    }
    return 0
}

/// No environment: `${VAR}` resolves to nothing, so the loader's own checks are what is fuzzed.
private let loader = ConfigLoader(registry: .builtins, environment: [:])
