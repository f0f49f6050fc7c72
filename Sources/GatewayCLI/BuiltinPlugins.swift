import GatewayPlugin
import DedupeTransform
import FilterTransform
import GenerateSource
import RenameTransform
import PollSource
import SSESource
import StdinSource

extension PluginRegistry {
    /// Every plugin this gateway ships, in one visible list.
    public static var builtins: PluginRegistry {
        var registry = PluginRegistry()
        // Sources
        registry.register(GenerateSource.plugin)
        registry.register(SSESource.plugin)
        registry.register(PollSource.plugin)
        registry.register(StdinSource.plugin)
        // Transforms
        registry.register(FilterTransform.plugin)
        registry.register(RenameTransform.plugin)
        registry.register(DedupeTransform.plugin)
        return registry
    }
}
