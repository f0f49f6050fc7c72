import GatewayPlugin

/// An event that left a clustered endpoint's pipeline on the lease holder, bound for the stream.
struct ClusterEvent: Sendable {
    var event: Event
    /// Its channel on a channel endpoint; `nil` on a broadcast one.
    var channel: String?
}
