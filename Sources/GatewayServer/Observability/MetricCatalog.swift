/// The one-line help of every metric family the gateway reports, and the buckets of its histograms.
///
/// swift-metrics' `MetricsFactory` carries a name and labels but no description, so the help
/// texts live here, keyed by family name, and ``DescribedPrometheusFactory`` attaches them when a
/// series is made: `/metrics` then has a `# HELP` line for every family. A family missing here
/// gets none, which the tests that scrape `/metrics` catch.
enum MetricCatalog {
    /// Help text by family name. One line each: what the series counts or shows.
    static let help: [String: String] = [
        // Clients and connections.
        "gateway_clients": "Event streams open now.",
        "gateway_disconnects_total":
            "Event streams ended, by reason: client_closed, behind (its next event had left the log), stalled, shutdown, error.",
        "gateway_client_errors_total":
            "Requests answered with an error the client caused: bad_request, header_too_large, body_too_large, timeout.",
        "gateway_connections_refused_total":
            "Connections closed unserved or streams answered 503 at the open-file limit (fd_limit), and failed accepts (accept_error).",
        "gateway_streams_opened_total":
            "Event streams opened, by protocol (http/1.1, h2) and content encoding (identity, gzip).",
        "gateway_http2_connections_total": "Connections that spoke HTTP/2 (h2 by ALPN, or h2c by prior knowledge).",
        "gateway_replay_total":
            "Streams that resumed with Last-Event-ID, by result: resumed (exactly), earlier_run, too_old, unknown_id.",
        // Events.
        "gateway_source_events_total": "Events a source handed to the gateway.",
        "gateway_upstream_reconnects_total": "Reconnections of a source to its upstream.",
        "gateway_pipeline_events_total": "Events that entered an endpoint's pipeline.",
        "gateway_endpoint_events_total": "Events an endpoint published to its clients, after its pipeline.",
        "gateway_dropped_events_total":
            "Events dropped: by a source (reason: too_large, invalid_json, ...) or by an endpoint (reason: the pipeline step, or no_channel).",
        "gateway_delivery_seconds":
            "Seconds from an event's arrival at the gateway to its write to the first client on an event loop; live pushes only.",
        // Channels.
        "gateway_channels": "Channels a channel endpoint holds now (with events or clients).",
        "gateway_channel_evictions_total": "Channels dropped to stay within max_channels or replay_bytes.",
        // Snapshots.
        "gateway_snapshot_keys": "Keys an endpoint's snapshot holds now.",
        "gateway_snapshot_evictions_total": "Keys dropped from an endpoint's snapshot to stay within max_keys.",
        // Cluster.
        "gateway_cluster_connected": "1 while the cluster's engine (NATS) is reachable, else 0.",
        "gateway_cluster_outbox_bytes": "Bytes this instance holds that the cluster's engine has not stored yet.",
        "gateway_cluster_published_total": "Events this instance stored in a clustered endpoint's stream, as its lease holder.",
        "gateway_cluster_lease_held": "1 while this instance holds a clustered endpoint's lease and runs its sources, else 0.",
        // Operations.
        "gateway_config_reloads_total": "Configuration reloads on SIGHUP, by result: ok or invalid.",
    ]

    /// The buckets of `gateway_delivery_seconds`, in seconds: from half a millisecond (a relay on
    /// one machine) to 10 s (a pipeline or a loop that has fallen far behind).
    static let deliveryBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    /// Histogram buckets by family name (timers not listed get Prometheus' defaults).
    static let durationBuckets: [String: [Duration]] = ["gateway_delivery_seconds": deliveryBuckets]
}
