import CoreMetrics
import NIOConcurrencyHelpers

/// Every metric the gateway reports, made from one `MetricsFactory`.
///
/// The server gets its factory injected (Prometheus in `gateway run`, `TestMetrics` in tests)
/// instead of using the process-wide `MetricsSystem`, so several servers can live in one process.
/// Series SPEC §3 promises exist from start-up, at zero.
public final class GatewayMetrics: Sendable {
    let factory: any MetricsFactory
    private let labelled = NIOLockedValueBox<[String: Counter]>([:])

    /// Creates the metrics over `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// A counter with these labels, made once and reused.
    func counter(_ name: String, _ dimensions: [(String, String)]) -> Counter {
        let key = name + "|" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        return labelled.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: name, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    /// `gateway_client_errors_total{reason}`: bad requests and other client mistakes.
    func clientError(_ reason: String) {
        counter("gateway_client_errors_total", [("reason", reason)]).increment()
    }

    /// `gateway_connections_refused_total{reason}`: connections closed unserved, or streams answered
    /// `503`, because the process is at its open-file limit (`fd_limit`); accepts that failed (`accept_error`).
    func connectionRefused(_ reason: String, count: Int = 1) {
        counter("gateway_connections_refused_total", [("reason", reason)]).increment(by: count)
    }

    /// `gateway_streams_opened_total{protocol,encoding}`: a stream opened.
    func streamOpened(protocol: String, encoding: String) {
        counter("gateway_streams_opened_total", [("protocol", `protocol`), ("encoding", encoding)]).increment()
    }

    /// `gateway_http2_connections_total`: a connection that speaks HTTP/2.
    func http2Connection() {
        counter("gateway_http2_connections_total", []).increment()
    }

    /// Metrics of one endpoint.
    func endpoint(_ path: String) -> EndpointMetrics {
        EndpointMetrics(path: path, metrics: self)
    }

    /// Metrics of one source.
    func source(_ name: String) -> SourceMetrics {
        SourceMetrics(name: name, metrics: self)
    }
}

/// The series labelled with one endpoint.
struct EndpointMetrics: Sendable {
    let path: String
    let metrics: GatewayMetrics
    /// `gateway_clients{endpoint}`.
    let clients: Meter
    /// `gateway_endpoint_events_total{endpoint}`: events sent (after the pipeline).
    let published: Counter
    /// `gateway_pipeline_events_total{endpoint}`: events that entered the pipeline.
    let pipelineIn: Counter
    /// `gateway_delivery_seconds{endpoint}`: arrival to first write on a loop, per live push
    /// (``LoopFanOut`` says exactly what it observes).
    let delivery: Timer

    init(path: String, metrics: GatewayMetrics) {
        self.path = path
        self.metrics = metrics
        self.clients = Meter(label: "gateway_clients", dimensions: [("endpoint", path)], factory: metrics.factory)
        self.clients.set(0)
        self.published = metrics.counter("gateway_endpoint_events_total", [("endpoint", path)])
        self.pipelineIn = metrics.counter("gateway_pipeline_events_total", [("endpoint", path)])
        self.delivery = Timer(label: "gateway_delivery_seconds", dimensions: [("endpoint", path)], factory: metrics.factory)
        for reason in DisconnectReason.allReported { disconnect(reason, count: 0) }
        for result in ["resumed"] + Gap.Reason.allCases.map(\.rawValue) { replay(result, count: 0) }
    }

    /// `gateway_dropped_events_total{endpoint, reason}`; the reason is the pipeline step.
    func dropped(reason: String, count: Int = 1) {
        metrics.counter("gateway_dropped_events_total", [("endpoint", path), ("reason", reason)]).increment(by: count)
    }

    /// The drop counter of the pipeline step `step`, to look up once rather than per event.
    func dropCounter(step: String) -> Counter {
        metrics.counter("gateway_dropped_events_total", [("endpoint", path), ("reason", step)])
    }

    /// `gateway_disconnects_total{endpoint, reason}`.
    func disconnect(_ reason: DisconnectReason, count: Int = 1) {
        metrics.counter("gateway_disconnects_total", [("endpoint", path), ("reason", reason.rawValue)]).increment(by: count)
    }

    /// `gateway_replay_total{endpoint, result}`.
    func replay(_ result: String, count: Int = 1) {
        metrics.counter("gateway_replay_total", [("endpoint", path), ("result", result)]).increment(by: count)
    }

    /// `gateway_channels{endpoint}`: the channels of a channel endpoint held now. Made once per
    /// endpoint, by the one that has channels.
    func channelGauge() -> Meter {
        let gauge = Meter(label: "gateway_channels", dimensions: [("endpoint", path)], factory: metrics.factory)
        gauge.set(0)
        for reason in Channels.Eviction.allCases { channelEvicted(reason, count: 0) }
        dropCounter(step: "no_channel").increment(by: 0)
        return gauge
    }

    /// `gateway_channel_evictions_total{endpoint, reason}`: channels dropped for `max_channels`
    /// or `replay_bytes`.
    func channelEvicted(_ reason: Channels.Eviction, count: Int = 1) {
        metrics.counter("gateway_channel_evictions_total", [("endpoint", path), ("reason", reason.rawValue)]).increment(by: count)
    }
}

/// The series labelled with one source.
struct SourceMetrics: Sendable {
    let name: String
    let metrics: GatewayMetrics
    /// `gateway_source_events_total{source}`.
    let events: Counter
    /// `gateway_upstream_reconnects_total{source}`.
    let reconnects: Counter

    init(name: String, metrics: GatewayMetrics) {
        self.name = name
        self.metrics = metrics
        self.events = metrics.counter("gateway_source_events_total", [("source", name)])
        self.reconnects = metrics.counter("gateway_upstream_reconnects_total", [("source", name)])
        dropped(reason: "too_large", count: 0)
    }

    /// `gateway_dropped_events_total{source, reason}`.
    func dropped(reason: String, count: Int = 1) {
        metrics.counter("gateway_dropped_events_total", [("source", name), ("reason", reason)]).increment(by: count)
    }
}

extension DisconnectReason {
    /// The reasons shown at zero from start-up.
    static let allReported: [DisconnectReason] = [.clientClosed, .behind, .stalled, .shutdown]
}
