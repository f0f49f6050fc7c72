/// A short summary of an event the endpoint sent, for the dashboard.
struct RecentEvent: Sendable {
    /// The id sent, if any.
    var id: String?
    /// The event type.
    var type: String
    /// The data, cut to ``maxLength`` characters.
    var data: String

    /// How much of the data the dashboard shows.
    static let maxLength = 160

    init(id: String?, type: String, data: String) {
        self.id = id
        self.type = type
        self.data = data.count > Self.maxLength ? String(data.prefix(Self.maxLength)) + "…" : data
    }
}
