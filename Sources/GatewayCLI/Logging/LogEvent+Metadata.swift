import Logging

extension LogEvent {
    /// Everything a handler writes beside the message: its own metadata, then its provider's,
    /// then the line's own (a later key wins), and the error as `error.message` and `error.type`.
    func mergedMetadata(handler metadata: Logger.Metadata, provider: Logger.MetadataProvider?) -> Logger.Metadata {
        var merged = metadata
        if let provided = provider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let explicit = self.metadata, !explicit.isEmpty { merged.merge(explicit) { $1 } }
        if let error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }
}
