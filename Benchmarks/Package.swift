// swift-tools-version:6.0
import PackageDescription

// Benchmarks live in their own package so that the gateway's tests never build or time them.
// Run: swift run -c release --package-path Benchmarks CodecBenchmark [--quick] (or PipelineBenchmark, UpstreamBenchmark)
let package = Package(
    name: "Benchmarks",
    dependencies: [
        .package(name: "gateway", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmark",
            dependencies: [.product(name: "EventStream", package: "gateway")]
        ),
        .executableTarget(
            name: "PipelineBenchmark",
            dependencies: [
                .product(name: "GatewayCLI", package: "gateway"),
                .product(name: "GatewayConfig", package: "gateway"),
                .product(name: "GatewayPlugin", package: "gateway"),
            ]
        ),
        .executableTarget(
            name: "UpstreamBenchmark",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GatewayCLI", package: "gateway"),
                .product(name: "GatewayConfig", package: "gateway"),
                .product(name: "GatewayPlugin", package: "gateway"),
            ]
        ),
    ]
)
