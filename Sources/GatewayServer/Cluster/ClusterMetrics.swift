import CoreMetrics

/// SPEC §5's cluster series: the engine connection, the outbox, and per clustered endpoint its
/// lease and what it published.
struct ClusterMetrics: Sendable {
    /// `gateway_cluster_connected`: 1 while the engine is reachable.
    let connected: Gauge
    /// `gateway_cluster_outbox_bytes`: what lease holders keep that the engine has not stored.
    let outboxBytes: Gauge

    init(factory: any MetricsFactory) {
        connected = Gauge(label: "gateway_cluster_connected", dimensions: [], factory: factory)
        outboxBytes = Gauge(label: "gateway_cluster_outbox_bytes", dimensions: [], factory: factory)
        connected.record(0)
        outboxBytes.record(0)
    }

    /// The series of one clustered endpoint.
    func endpoint(_ path: String, factory: any MetricsFactory) -> Endpoint {
        Endpoint(
            published: Counter(label: "gateway_cluster_published_total", dimensions: [("endpoint", path)], factory: factory),
            leaseHeld: Gauge(label: "gateway_cluster_lease_held", dimensions: [("endpoint", path)], factory: factory))
    }

    struct Endpoint: Sendable {
        /// `gateway_cluster_published_total{endpoint}`: events this instance stored in the stream.
        let published: Counter
        /// `gateway_cluster_lease_held{endpoint}`: 1 while this instance runs the endpoint's sources.
        let leaseHeld: Gauge
    }
}
