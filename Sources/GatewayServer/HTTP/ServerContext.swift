import Logging
import NIOCore

/// What every connection needs from the running gateway. Shared by all connections.
struct ServerContext: Sendable {
    /// Maps a request to its answer or to the endpoint it streams.
    let router: Routes
    let admission: Admission
    /// Connections held at once, from the open-file limit.
    let connections: ConnectionBudget
    let metrics: GatewayMetrics
    /// `retry:` sent on connect, in milliseconds; also the `Retry-After` of a `503` (rounded up).
    let retryMilliseconds: Int
    /// The Prometheus text of `/metrics`.
    let renderMetrics: @Sendable () -> String
    /// The source names that have not yet connected or delivered.
    let sourcesNotReady: @Sendable () -> [String]
    /// How long a connection may stay without a complete request before it is closed.
    let requestTimeout: TimeAmount
    /// Gzip the streams of clients that accept it.
    var compression = false
    /// The HTTP/2 connections open now; `nil` when the server speaks only HTTP/1.1.
    var http2: HTTP2Connections? = nil
    let logger: Logger
}
