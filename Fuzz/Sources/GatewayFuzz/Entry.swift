/// One executable for every target: `GatewayFuzz TARGET [libFuzzer arguments…]`.
///
/// SwiftPM links an executable's entry point as `GatewayFuzz_main`; it picks the target named
/// by the first argument and hands the rest to libFuzzer's driver, which calls the target for
/// each input. One binary keeps the build to one link, and a new target to one line here.
let targets: [String: @Sendable (UnsafePointer<UInt8>, Int) -> CInt] = [
    "FuzzSSEParser": fuzzSSEParser,
    "FuzzJSON": fuzzJSON,
    "FuzzConfig": fuzzConfig,
    "FuzzMatcher": fuzzMatcher,
    "FuzzHTTPRequest": fuzzHTTPRequest,
    "FuzzNATSSubject": fuzzNATSSubject,
    "FuzzPublishBody": fuzzPublishBody,
    "FuzzJWT": fuzzJWT,
]

/// The target of this run; set once, before the driver starts.
nonisolated(unsafe) private var selected: (@Sendable (UnsafePointer<UInt8>, Int) -> CInt)?

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("GatewayFuzz_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    guard argc >= 2, let name = argv[1].map({ String(cString: $0) }), let target = targets[name] else {
        print("usage: GatewayFuzz TARGET [libFuzzer arguments]; targets: \(targets.keys.sorted().joined(separator: ", "))")
        return 2
    }
    selected = target
    // libFuzzer sees the program's name, then its own arguments.
    var arguments = [argv[0]] + (2..<Int(argc)).map { argv[$0] } + [nil]
    var count = argc - 1
    return arguments.withUnsafeMutableBufferPointer { buffer in
        var pointer = buffer.baseAddress
        return runDriver(&count, &pointer) { selected!($0, $1) }
    }
}

/// libFuzzer's own `main` object names this symbol too.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt { selected?(start, count) ?? 0 }
