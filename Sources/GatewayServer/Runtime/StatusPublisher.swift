import GatewayPlugin
import NIOCore
import ServiceLifecycle

/// Publishes a JSON snapshot of the gateway on the dashboard's status stream, once a second,
/// until the group stops.
struct StatusPublisher: Service {
    let stream: EndpointStream
    /// The endpoints and sources running now (a reload may change them).
    let running: @Sendable () -> (endpoints: [EndpointStream], sources: [RunningSource])
    /// The `log: cluster` endpoints' part in the cluster.
    var clustered: [ClusteredEndpoint] = []
    let interval: Duration

    func run() async {
        await cancelWhenGracefulShutdown { await publish() }
    }

    /// Publishes until the task is cancelled.
    private func publish() async {
        let clock = ContinuousClock()
        let started = clock.now
        // Per endpoint (by identity: a reload may remake one at the same path), its count at the last tick.
        var previous: [ObjectIdentifier: UInt64] = [:]
        for endpoint in running().endpoints { previous[ObjectIdentifier(endpoint)] = endpoint.snapshot().published }
        var lastTick = started
        var first = true
        while !Task.isCancelled {
            // The first snapshot goes out at once, so a dashboard opened at start-up has something to draw.
            if !first {
                do { try await Task.sleep(for: interval) } catch { return }
            }
            first = false
            let now = clock.now
            let elapsed = max(0.001, Self.seconds(now - lastTick))
            lastTick = now
            var endpointStatuses: [EndpointStatus] = []
            let (endpoints, sources) = running()
            var counts: [ObjectIdentifier: UInt64] = [:]
            for endpoint in endpoints {
                let snapshot = endpoint.snapshot()
                let rate = Double(snapshot.published &- (previous[ObjectIdentifier(endpoint)] ?? snapshot.published)) / elapsed
                counts[ObjectIdentifier(endpoint)] = snapshot.published
                let channels = endpoint.channels.map { channels in
                    let busiest = channels.busiest(limit: 5)
                    return ChannelsStatus(count: channels.count, byClients: busiest.byClients, byEvents: busiest.byEvents)
                }
                endpointStatuses.append(
                    EndpointStatus(
                        path: endpoint.path, clients: endpoint.clientCount, events: snapshot.published, rate: rate,
                        recent: snapshot.recent, channels: channels,
                        cluster: clustered.first { $0.endpoint === endpoint }.map(\.status)))
            }
            previous = counts
            let sourceStatuses = sources.map { SourceStatus(name: $0.config.name, type: $0.config.type, ready: $0.isReady, events: $0.eventCount) }
            let json = StatusSnapshot(
                uptimeSeconds: Self.seconds(now - started), endpoints: endpointStatuses, sources: sourceStatuses
            ).json
            stream.ingest([Event(event: "status", data: json)])
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
