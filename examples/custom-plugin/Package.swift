// swift-tools-version:6.0
import PackageDescription

// A gateway binary with one plugin of our own: the `redact` transform.
//
// It depends on the gateway package's `GatewayCLI` product (the command line, the built-in
// plugins and the plugin API) and builds an executable, `custom-gateway`, that knows `redact`
// besides every built-in. Here the gateway is the repository two folders up; elsewhere use
// `.package(url: "https://…/gateway.git", from: "0.1.0")`.
//
// Why not name it `gateway`: SwiftPM finds products by name across the whole package graph,
// and the gateway package already has an executable product `gateway` (and a target of that
// name), so a second one would resolve to the stock binary. Install it under any name you
// like: `install .build/release/custom-gateway /usr/local/bin/gateway`.

let package = Package(
    name: "custom-plugin",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "custom-gateway", targets: ["CustomGateway"])
    ],
    dependencies: [
        .package(name: "gateway", path: "../..")
    ],
    targets: [
        // The plugin: depends on the plugin API only.
        .target(name: "Redact", dependencies: [.product(name: "GatewayPlugin", package: "gateway")]),
        // The binary: the gateway's command line with the plugin registered.
        .executableTarget(
            name: "CustomGateway",
            dependencies: ["Redact", .product(name: "GatewayCLI", package: "gateway")]
        ),
        .testTarget(
            name: "RedactTests",
            dependencies: [
                "Redact",
                .product(name: "GatewayPlugin", package: "gateway"),
                // For `prepare(yaml:)`: options read from YAML exactly as in gateway.yaml.
                .product(name: "GatewayConfig", package: "gateway"),
            ]
        ),
    ]
)
