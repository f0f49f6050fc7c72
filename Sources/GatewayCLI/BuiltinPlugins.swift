import GatewayPlugin
import GenerateSource

extension PluginRegistry {
    /// Every plugin this gateway ships, in one visible list.
    public static var builtins: PluginRegistry {
        var registry = PluginRegistry()
        registry.register(GenerateSource.plugin)
        return registry
    }
}
