import GatewayPlugin
import DedupeTransform
import ExecTransform
import FilterTransform
import GenerateSource
import HTTPSource
import NATSSource
import PollSource
import RenameTransform
import SSESource
import StdinSource
import ThrottleTransform

extension PluginRegistry {
    /// Every plugin this gateway ships, in one visible list.
    public static var builtins: PluginRegistry {
        var registry = PluginRegistry()
        // Sources
        registry.register(GenerateSource.plugin)
        registry.register(SSESource.plugin)
        registry.register(PollSource.plugin)
        registry.register(StdinSource.plugin)
        registry.register(NATSSource.plugin)
        registry.register(HTTPSource.plugin)
        // Transforms
        registry.register(FilterTransform.plugin)
        registry.register(RenameTransform.plugin)
        registry.register(DedupeTransform.plugin)
        registry.register(ThrottleTransform.plugin)
        registry.register(ExecTransform.plugin)
        return registry
    }
}
