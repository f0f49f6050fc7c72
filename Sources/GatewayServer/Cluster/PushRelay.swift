import GatewayPlugin
import NIOConcurrencyHelpers

/// A push source (SPEC §7) feeding a `log: cluster` endpoint: one instance at a time runs it
/// (the lease holder), yet a publisher may reach any instance. The instance that runs it takes
/// the publishes the others forward through the cluster's engine; the others forward theirs
/// and write back its answer. So a publish is answered `202` only once the running source has
/// its events, whichever instance the publisher's load balancer picked.
final class PushRelay: Sendable {
    /// The source's name (what the engine routes by).
    let source: String
    /// The source's own route: what answers a publish where the source runs.
    let route: PushRoute
    private let gate: SourceGate
    private let engine: any ClusterEngine
    private let serving = NIOLockedValueBox<(any ClusterSubscription)?>(nil)
    /// How long a forwarded publish may wait for the running instance's answer.
    static let forwardTimeout: Duration = .seconds(5)

    init(source: String, route: PushRoute, gate: SourceGate, engine: any ClusterEngine) {
        self.source = source
        self.route = route
        self.gate = gate
        self.engine = engine
    }

    /// Whether this instance runs the source now (holds its endpoint's lease).
    var runsHere: Bool { gate.isOpen }

    /// The source started here: take forwarded publishes. Throws when the engine cannot
    /// subscribe (the caller logs it; publishes sent here directly still work).
    func sourceStarted() throws {
        let route = self.route
        let subscription = try engine.servePublishes(to: source) { request in route.handle(request) }
        serving.withLockedValue { old in
            old?.cancel()
            old = subscription
        }
    }

    /// The source stopped here: forwarded publishes go to whichever instance runs it next.
    func sourceStopped() {
        serving.withLockedValue { subscription in
            subscription?.cancel()
            subscription = nil
        }
    }

    /// Forwards a publish to the instance that runs the source; `503` with `Retry-After`
    /// when none answers (during a takeover, or with the engine down).
    func forward(_ request: PushRequest) async -> PushResponse {
        do {
            return try await engine.forwardPublish(request, to: source, timeout: Self.forwardTimeout)
        } catch {
            return PushResponse(
                status: 503, headers: ["Retry-After": "1"],
                json: #"{"error":\#(JSONValue.quoted("no gateway instance runs source '\(source)' now (\(error)); retry"))}"#)
        }
    }
}
