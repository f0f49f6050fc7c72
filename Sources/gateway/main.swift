import GatewayCLI
import GatewayPlugin

await Gateway.main(plugins: .builtins)
