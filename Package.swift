// swift-tools-version:6.0
import PackageDescription

// Module map (DESIGN.md): EventStream ← GatewayPlugin ← {GatewayConfig, GatewayServer, Plugins/*} ← GatewayCLI ← gateway.
// GatewayJWT (token verification, on swift-crypto) sits between GatewayPlugin and {GatewayConfig, GatewayServer}.
// GatewayConfig and GatewayServer do not know each other: the CLI maps a loaded configuration onto the server's settings.
//
// `Plugins/` holds ordinary library targets, one per plugin, each with an explicit `path:`.
// SwiftPM's own convention reserves a `Plugins/` folder for *package* plugins; we name every
// path explicitly so the folder can mean "gateway plugins" here.

let package = Package(
    name: "gateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gateway", targets: ["gateway"]),
        /// Everything a custom gateway binary needs: the CLI, the built-in plugins and the plugin API.
        .library(name: "GatewayCLI", targets: ["GatewayCLI"]),
        /// The plugin API alone, for packages that only provide plugins.
        .library(name: "GatewayPlugin", targets: ["GatewayPlugin"]),
        /// The configuration loader; also lets plugin tests read options from YAML (`prepare(yaml:)`).
        .library(name: "GatewayConfig", targets: ["GatewayConfig"]),
        .library(name: "EventStream", targets: ["EventStream"]),
        /// The server alone, for programs that embed a gateway (it takes its own settings).
        .library(name: "GatewayServer", targets: ["GatewayServer"]),
        /// JSON Web Token verification and the access a token grants (SPEC §6).
        .library(name: "GatewayJWT", targets: ["GatewayJWT"]),
        /// The cluster engine on NATS JetStream (SPEC §5).
        .library(name: "GatewayCluster", targets: ["GatewayCluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // MARK: Core modules

        .target(name: "EventStream"),
        .target(
            name: "GatewayPlugin",
            dependencies: ["EventStream", .product(name: "Logging", package: "swift-log")]
        ),
        /// JSON Web Token verification and the access a token grants (SPEC §6): a module of its own
        /// so that the cryptography stays out of the server's routing.
        .target(
            name: "GatewayJWT",
            dependencies: [
                "GatewayPlugin", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "GatewayConfig",
            dependencies: ["GatewayPlugin", "GatewayJWT", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "GatewayServer",
            dependencies: [
                "GatewayPlugin",
                "GatewayJWT",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                "CZlib",
            ]
        ),
        /// zlib from the system (`zlib1g-dev`): the deflate blocks of gzip'd streams (SPEC §6).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "GatewayCLI",
            dependencies: [
                "GatewayConfig",
                "GatewayPlugin",
                "GatewayServer",
                "GatewayCluster",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "GenerateSource",
                "FilterTransform",
                "RenameTransform",
                "DedupeTransform",
                "SSESource",
                "PollSource",
                "StdinSource",
                "CurlHTTP",
                "ThrottleTransform",
                "ExecTransform",
                "NATSSource",
                "HTTPSource",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "gateway", dependencies: ["GatewayCLI"]),

        // MARK: HTTP client for upstream sources

        /// libcurl from the system (`libcurl4-openssl-dev`), with typed wrappers for its variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(
            name: "CurlHTTP",
            dependencies: ["CCurl", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),

        // MARK: Cluster engine (SPEC §5)

        /// libnats from the system (`libnats-dev`), the NATS C client.
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        /// A small Swift wrapper over libnats: connection, core subscriptions, JetStream streams,
        /// publishes, consumers and key-value buckets; for the cluster engine and a `nats` source.
        .target(
            name: "NATS",
            dependencies: [
                "CNATS", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        /// The cluster seam of GatewayServer on NATS JetStream.
        .target(
            name: "GatewayCluster",
            dependencies: [
                "GatewayPlugin", "GatewayServer", "NATS", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),

        // MARK: Built-in plugins (one folder each under Plugins/)

        .target(name: "GenerateSource", dependencies: ["GatewayPlugin"], path: "Plugins/GenerateSource"),
        .target(name: "FilterTransform", dependencies: ["GatewayPlugin"], path: "Plugins/FilterTransform"),
        .target(name: "RenameTransform", dependencies: ["GatewayPlugin"], path: "Plugins/RenameTransform"),
        .target(name: "DedupeTransform", dependencies: ["GatewayPlugin"], path: "Plugins/DedupeTransform"),
        .target(
            name: "SSESource",
            dependencies: ["GatewayPlugin", "CurlHTTP", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/SSESource"
        ),
        .target(
            name: "PollSource",
            dependencies: ["GatewayPlugin", "CurlHTTP", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/PollSource"
        ),
        .target(
            name: "StdinSource",
            dependencies: ["GatewayPlugin", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/StdinSource"
        ),
        .target(
            name: "ThrottleTransform",
            dependencies: ["GatewayPlugin", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Plugins/ThrottleTransform"),
        .target(
            name: "ExecTransform",
            dependencies: ["GatewayPlugin", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Plugins/ExecTransform"),
        .target(
            name: "NATSSource",
            dependencies: [
                "GatewayPlugin", "NATS", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Plugins/NATSSource"),
        .target(
            name: "HTTPSource",
            dependencies: ["GatewayPlugin", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/HTTPSource"),

        // MARK: Tests

        /// For tests of sources: a scriptable HTTP/1.1 origin on 127.0.0.1 and a recording source output.
        .target(
            name: "TestSupport",
            dependencies: [
                "GatewayPlugin", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "TestSupport"]),
        .testTarget(name: "SSESourceTests", dependencies: ["SSESource", "GatewayConfig", "TestSupport"]),
        .testTarget(name: "PollSourceTests", dependencies: ["PollSource", "GatewayConfig", "TestSupport"]),
        .testTarget(name: "StdinSourceTests", dependencies: ["StdinSource", "GatewayConfig", "TestSupport"]),
        .testTarget(name: "HTTPSourceTests", dependencies: ["HTTPSource", "GatewayConfig", "TestSupport"]),

        // Runs the built `gateway` binary; depending on it makes `swift build --build-tests` build it first.
        .testTarget(name: "CLITests", dependencies: ["gateway", "TestSupport"]),
        // NATS: a test publishes what a `nats` source reads; Crypto: tests sign the JWTs they present.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "gateway", "TestSupport", "NATS", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(name: "GatewayCLITests", dependencies: ["GatewayCLI", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "EventStreamTests", dependencies: ["EventStream"]),
        .testTarget(name: "GatewayPluginTests", dependencies: ["GatewayPlugin"]),
        .testTarget(
            name: "GatewayJWTTests",
            dependencies: [
                "GatewayJWT", .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "GatewayConfigTests",
            dependencies: [
                "GatewayConfig", "GatewayCLI", "GatewayJWT", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(name: "GenerateSourceTests", dependencies: ["GenerateSource", "GatewayPlugin", "TestSupport"]),
        .testTarget(
            name: "GatewayServerTests",
            dependencies: [
                "GatewayServer",
                "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                "GatewayPlugin",
                "GatewayJWT",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "CZlib",
            ]
        ),
        .testTarget(name: "FilterTransformTests", dependencies: ["FilterTransform", "GatewayPlugin", "GatewayConfig"]),
        .testTarget(name: "RenameTransformTests", dependencies: ["RenameTransform", "GatewayPlugin", "GatewayConfig"]),
        .testTarget(name: "DedupeTransformTests", dependencies: ["DedupeTransform", "GatewayPlugin", "GatewayConfig", "TestSupport"]),
        .testTarget(name: "ThrottleTransformTests", dependencies: ["ThrottleTransform", "GatewayPlugin", "GatewayConfig", "TestSupport"]),
        .testTarget(name: "NATSTests", dependencies: ["NATS", "TestSupport"]),
        .testTarget(
            name: "NATSSourceTests",
            dependencies: [
                "NATSSource", "NATS", "GatewayPlugin", "GatewayConfig", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "GatewayClusterTests", dependencies: ["GatewayCluster", "GatewayServer", "NATS", "TestSupport"]),
        .testTarget(name: "ExecTransformTests", dependencies: ["ExecTransform", "GatewayPlugin", "GatewayConfig", "TestSupport"]),
    ]
)
