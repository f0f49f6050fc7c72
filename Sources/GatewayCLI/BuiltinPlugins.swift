import GatewayPlugin
import DedupeTransform
import ExecTransform
import FilterTransform
import GenerateSource
import RenameTransform
import ThrottleTransform

extension PluginRegistry {
    /// Every plugin this gateway ships, in one visible list.
    public static var builtins: PluginRegistry {
        var registry = PluginRegistry()
        // Sources
        registry.register(GenerateSource.plugin)
        // Transforms
        registry.register(FilterTransform.plugin)
        registry.register(RenameTransform.plugin)
        registry.register(DedupeTransform.plugin)
        registry.register(ThrottleTransform.plugin)
        registry.register(ExecTransform.plugin)
        return registry
    }
}
