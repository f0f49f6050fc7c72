import CoreMetrics

extension EndpointMetrics {
    /// `gateway_snapshot_keys{endpoint}`: the keys an endpoint's snapshot holds now. Made once
    /// per endpoint, by the one that has a snapshot.
    func snapshotKeysGauge() -> Meter {
        let gauge = Meter(label: "gateway_snapshot_keys", dimensions: [("endpoint", path)], factory: metrics.factory)
        gauge.set(0)
        snapshotEvicted(0)
        return gauge
    }

    /// `gateway_snapshot_evictions_total{endpoint}`: keys dropped from a snapshot for `max_keys`
    /// (the least recently updated first).
    func snapshotEvicted(_ count: Int) {
        metrics.counter("gateway_snapshot_evictions_total", [("endpoint", path)]).increment(by: count)
    }
}
