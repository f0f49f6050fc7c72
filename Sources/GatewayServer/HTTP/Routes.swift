import NIOConcurrencyHelpers
import NIOHTTP1

/// The routes in force: every request head is routed by the current ``Router``, which a reload
/// (SPEC §8) replaces whole. A request routed just before a swap is answered by what it was
/// routed to.
final class Routes: Sendable {
    private let current: NIOLockedValueBox<Router>

    init(_ router: Router) {
        current = NIOLockedValueBox(router)
    }

    /// The router in force.
    var router: Router { current.withLockedValue { $0 } }

    /// Routes the next requests with `router`.
    func replace(with router: Router) {
        current.withLockedValue { $0 = router }
    }

    /// The route for a request head, by the router in force.
    func route(method: HTTPMethod, uri: String, headers: HTTPHeaders) -> Router.Route {
        router.route(method: method, uri: uri, headers: headers)
    }
}
