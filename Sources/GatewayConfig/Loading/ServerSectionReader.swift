import GatewayPlugin

/// Reads `server:`.
struct ServerSectionReader {
    let diagnostics: Diagnostics

    func read(_ node: ConfigNode) -> ServerConfig {
        var server = ServerConfig()
        let options = OptionsReader(node: node, context: "'server'", diagnostics: diagnostics)
        if let listenNode = options.node("listen") {
            if let text = listenNode.scalar, let address = ListenAddress.parse(text) {
                server.listen = address
            } else {
                options.report(
                    "'listen' must be HOST:PORT (like 127.0.0.1:8080 or [::]:8080), found \(listenNode.describedForMessage)",
                    at: listenNode.location)
            }
        }
        server.heartbeat = options.duration("heartbeat", default: server.heartbeat, minimum: .milliseconds(10)) ?? server.heartbeat
        server.retry = options.duration("retry", default: server.retry) ?? server.retry
        server.maxClients = options.int("max_clients", default: server.maxClients, in: 1...1_000_000) ?? server.maxClients
        server.clientBuffer = options.size("client_buffer", default: server.clientBuffer, minimum: 1024) ?? server.clientBuffer
        server.stallTimeout =
            options.duration("stall_timeout", default: server.stallTimeout, minimum: .milliseconds(100)) ?? server.stallTimeout
        server.requestTimeout =
            options.duration("request_timeout", default: server.requestTimeout, minimum: .milliseconds(100)) ?? server.requestTimeout
        server.dashboard = options.bool("dashboard", default: server.dashboard) ?? server.dashboard
        server.metrics = options.bool("metrics", default: server.metrics) ?? server.metrics
        server.http2 = options.bool("http2", default: server.http2) ?? server.http2
        server.compression = options.bool("compression", default: server.compression) ?? server.compression
        if let cors = options.nested("cors") {
            let origins = cors.stringList("origins")
            cors.finish()
            if let origins, !origins.isEmpty {
                server.cors = CORSConfig(origins: origins)
            } else if cors.isValid {
                cors.report("'cors' needs 'origins', a list of allowed origins (\"*\" for any)")
            }
        }
        if let tls = options.nested("tls") {
            let cert = tls.string("cert", required: true)
            let key = tls.string("key", required: true)
            tls.finish()
            if let cert, let key {
                server.tls = TLSConfig(cert: cert, key: key)
            }
        }
        options.finish()
        return server
    }
}
