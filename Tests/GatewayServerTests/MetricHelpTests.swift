import Foundation
import Testing

@testable import GatewayServer

/// `# HELP` on every family of `/metrics`, through ``DescribedPrometheusFactory``.
@Suite struct MetricHelpTests {
    /// Every family the gateway makes, each with at least one series, rendered.
    static func renderEverything() -> String {
        let factory = DescribedPrometheusFactory()
        let metrics = GatewayMetrics(factory: factory)
        metrics.clientError("bad_request")
        metrics.connectionRefused("fd_limit")
        let endpoint = metrics.endpoint("/a")
        endpoint.dropped(reason: "filter")
        _ = endpoint.channelGauge()
        endpoint.delivery.recordNanoseconds(1_500_000)
        let source = metrics.source("s")
        source.events.increment()
        let cluster = ClusterMetrics(factory: factory)
        _ = cluster.endpoint("/a", factory: factory)
        return factory.render()
    }

    @Test func everyFamilyHasAOneLineHelpTextBeforeItsType() {
        let lines = Self.renderEverything().split(separator: "\n").map(String.init)
        let types = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(types.count >= 17)
        for name in types {
            let help = lines.first { $0.hasPrefix("# HELP \(name) ") }
            #expect(help != nil, "\(name) has no help")
            #expect((help?.count ?? 0) > "# HELP \(name) ".count + 10, "\(name)'s help says something")
        }
    }

    /// The families the sources make: every `label: "gateway_…"` and `counter("gateway_…"`.
    static func familiesInTheSources() throws -> Set<String> {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var names: Set<String> = []
        for folder in ["Sources", "Plugins"] {
            let enumerator = FileManager.default.enumerator(at: repository.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                let text = try String(contentsOf: url, encoding: .utf8)
                for match in text.matches(of: /(?:label: |counter\()"(gateway_[a-z_]+)"/) { names.insert(String(match.1)) }
            }
        }
        return names
    }

    @Test func everyFamilyTheSourcesMakeHasItsHelpInTheCatalog() throws {
        let families = try Self.familiesInTheSources()
        #expect(families.count >= 17)
        for name in families.sorted() {
            #expect(MetricCatalog.help[name] != nil, "\(name) has no help in MetricCatalog.help")
        }
    }

    @Test func everyHelpTextIsOneLineAndSaysWhatItCounts() {
        for (name, help) in MetricCatalog.help {
            #expect(name.hasPrefix("gateway_"))
            #expect(!help.contains("\n") && !help.contains("\\") && help.hasSuffix("."), "\(name): \(help)")
        }
    }

    @Test func theDeliveryHistogramHasBucketsFromHalfAMillisecondToTenSeconds() {
        let text = Self.renderEverything()
        #expect(text.contains("# TYPE gateway_delivery_seconds histogram"))
        #expect(text.contains(#"gateway_delivery_seconds_bucket{endpoint="/a",le="0.0005"} 0"#))
        #expect(text.contains(#"gateway_delivery_seconds_bucket{endpoint="/a",le="0.0025"} 1"#))
        #expect(text.contains(#"gateway_delivery_seconds_bucket{endpoint="/a",le="10.0"} 1"#))
        #expect(text.contains(#"gateway_delivery_seconds_bucket{endpoint="/a",le="+Inf"} 1"#))
        #expect(text.contains(#"gateway_delivery_seconds_count{endpoint="/a"} 1"#))
        #expect(text.contains(#"gateway_delivery_seconds_sum{endpoint="/a"} 0.0015"#))
    }
}
