// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets, one per parser of untrusted bytes, in one executable (`GatewayFuzz TARGET`).
// Built only by `make fuzz` (see README.md here), with `-sanitize=fuzzer,address` and
// `-parse-as-library`: libFuzzer's driver runs the target named on the command line.

let gateway = "gateway"

let package = Package(
    name: "gateway-fuzz",
    dependencies: [
        .package(name: "gateway", path: ".."),
        // The gateway's own versions (the same requirements as its Package.swift).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "GatewayFuzz",
            dependencies: [
                .product(name: "EventStream", package: gateway), .product(name: "GatewayPlugin", package: gateway),
                .product(name: "GatewayConfig", package: gateway), .product(name: "GatewayCLI", package: gateway),
                .product(name: "GatewayServer", package: gateway), .product(name: "GatewayCluster", package: gateway),
                .product(name: "GatewayJWT", package: gateway), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics"),
            ])
    ]
)
