/// Why the gateway could not start serving.
public struct GatewayServerError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case cannotListen(address: String, reason: String)
        case tls(reason: String)
        case settings(reason: String)
    }

    private let code: Code

    /// The listening socket could not be bound.
    static func cannotListen(address: String, reason: String) -> GatewayServerError {
        GatewayServerError(code: .cannotListen(address: address, reason: reason))
    }

    /// The TLS certificate or key could not be loaded.
    static func tls(reason: String) -> GatewayServerError {
        GatewayServerError(code: .tls(reason: reason))
    }

    /// The settings contradict themselves (a program that builds them directly; `gateway check`
    /// reports these in a configuration file).
    static func settings(_ reason: String) -> GatewayServerError {
        GatewayServerError(code: .settings(reason: reason))
    }

    /// One line saying what went wrong.
    public var description: String {
        switch code {
        case .cannotListen(let address, let reason): return "cannot listen on \(address): \(reason)"
        case .tls(let reason): return "cannot load the TLS certificate or key: \(reason)"
        case .settings(let reason): return "invalid settings: \(reason)"
        }
    }
}
