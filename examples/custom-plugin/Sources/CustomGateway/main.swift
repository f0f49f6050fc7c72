import GatewayCLI
import GatewayPlugin
import Redact

// Every built-in plugin, plus ours; then the usual command line (`run`, `check`, `tail`, …).
var plugins = PluginRegistry.builtins
plugins.register(Redact.plugin)
await Gateway.main(plugins: plugins)
