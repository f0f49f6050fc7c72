import GatewayPlugin

/// One entry of `sources:`: a named, configured source plugin.
public struct SourceConfig: Sendable {
    /// The source's name (its key under `sources:`).
    public var name: String
    /// The plugin `type:`.
    public var type: String
    /// `max_event_size`: larger events are dropped, logged and counted.
    public var maxEventSize: Int
    /// The configured source, ready to run.
    public var source: any Source
    /// Where the source is declared.
    public var location: ConfigLocation
    /// Its options without positions (``ConfigNode/fingerprint``): a reload restarts a source
    /// whose fingerprint changed and leaves the others running.
    public var fingerprint = ""

    /// Creates a source entry.
    public init(name: String, type: String, maxEventSize: Int, source: any Source, location: ConfigLocation) {
        self.name = name
        self.type = type
        self.maxEventSize = maxEventSize
        self.source = source
        self.location = location
    }
}
