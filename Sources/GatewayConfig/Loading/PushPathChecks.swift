import GatewayPlugin

/// The paths push sources take requests on (SPEC §7) must be the gateway's to give: not an
/// endpoint's path (exact, or a channel endpoint's template), not one the server answers
/// itself, not another push source's. The server matches endpoints first, so a clash would
/// leave the source unreachable without a word; here it is an error at the source's `path`.
struct PushPathChecks {
    let diagnostics: Diagnostics

    /// Paths the server answers itself, and the prefix it keeps for its own pages.
    static let reservedPaths: Set<String> = ["/", "/healthz", "/readyz", "/metrics"]
    static let reservedPrefix = "/_gateway/"

    func check(sources: [SourceConfig], endpoints: [EndpointConfig], sourcesNode: ConfigNode?) {
        var taken: [String: String] = [:]
        for source in sources {
            guard let route = (source.source as? any PushSource)?.route else { continue }
            let path = route.path
            let location = sourcesNode?[source.name]?["path"]?.location ?? source.location
            if let endpoint = endpoints.first(where: { Self.serves($0.path, path) }) {
                diagnostics.report(
                    "source '\(source.name)' takes requests on '\(path)', which endpoint '\(endpoint.path)' serves; give it a path of its own (like /publish\(path))",
                    at: location)
            } else if Self.reservedPaths.contains(path) || path.hasPrefix(Self.reservedPrefix) {
                diagnostics.report(
                    "source '\(source.name)' cannot take requests on '\(path)': the gateway answers it itself (/, /healthz, /readyz, /metrics, /_gateway/…)",
                    at: location)
            } else if let other = taken[path] {
                diagnostics.report("source '\(source.name)' takes requests on '\(path)', as source '\(other)' already does", at: location)
            } else {
                taken[path] = source.name
            }
        }
    }

    /// Whether an endpoint at `endpointPath` (exact, or a channel template) answers `path`.
    static func serves(_ endpointPath: String, _ path: String) -> Bool {
        guard let template = PathTemplate(endpointPath) else { return endpointPath == path }
        guard path.hasPrefix(template.prefix), path.hasSuffix(template.suffix),
            path.count >= template.prefix.count + template.suffix.count + 1
        else { return false }
        let segment = path.dropFirst(template.prefix.count).dropLast(template.suffix.count)
        return !segment.isEmpty && !segment.contains("/")
    }
}
