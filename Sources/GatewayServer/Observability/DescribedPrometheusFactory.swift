import CoreMetrics
import Prometheus

/// A swift-metrics factory over a Prometheus registry that gives every family its `# HELP` line
/// and its histogram buckets from ``MetricCatalog``.
///
/// swift-prometheus' own `PrometheusMetricsFactory` registers every series with an empty help
/// text (the swift-metrics API has no place for one), and its registry refuses a second
/// registration of a family with a different help text. So this factory makes every series
/// itself, through the registry's descriptor API, always with the catalog's text for its name:
/// one text per family, whichever part of the gateway makes the series first.
struct DescribedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// Unregisters series; it never makes one here.
    private let plain: PrometheusMetricsFactory

    /// - Parameter registry: where the series are kept and rendered from.
    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.plain = PrometheusMetricsFactory(registry: registry)
    }

    /// The Prometheus text of every series made so far (what `/metrics` serves).
    func render() -> String {
        registry.emitToString()
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricCatalog.help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: descriptor(label), labels: dimensions, buckets: plain.valueHistogramBuckets[label] ?? plain.defaultValueHistogramBuckets)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(
            descriptor: descriptor(label), labels: dimensions,
            buckets: MetricCatalog.durationBuckets[label] ?? plain.defaultDurationHistogramBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) { plain.destroyCounter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { plain.destroyFloatingPointCounter(handler) }
    func destroyMeter(_ handler: any MeterHandler) { plain.destroyMeter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { plain.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { plain.destroyTimer(handler) }
}
