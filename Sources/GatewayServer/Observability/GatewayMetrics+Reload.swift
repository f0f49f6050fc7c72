extension GatewayMetrics {
    /// `gateway_config_reloads_total{result}`: SIGHUP reloads, `ok` (applied) or `invalid` (the
    /// file had problems; the running configuration stayed).
    func configReload(result: String, count: Int = 1) {
        counter("gateway_config_reloads_total", [("result", result)]).increment(by: count)
    }
}
