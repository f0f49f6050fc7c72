import GatewayPlugin

/// `type: nats` — events from NATS: a subject (core NATS, live only) or a JetStream stream.
///
/// ```yaml
/// sources:
///   orders: { type: nats, subject: "orders.>" }
///   orders_js: { type: nats, stream: ORDERS, subject: "orders.>", deliver: all }
/// ```
///
/// Each message's payload is an event's data; the `Gateway-Event` header gives its type and
/// `Gateway-Id` its id (``EventMapping``), unless `event:` and `id_header:` say otherwise. A
/// payload that is not UTF-8 or is larger than `max_event_size` is dropped, counted and
/// logged with its subject. The connection is the source's own `url:` or `cluster.nats`; it
/// reconnects forever, and a stream is read by an ordered consumer that resumes after the last
/// message delivered, so a reconnection loses and repeats nothing.
public struct NATSSource: Source {
    /// What the source reads.
    public enum Mode: Sendable, Equatable {
        /// `subject:` alone: core NATS, the messages published while the source runs.
        case subject(String)
        /// `stream:`: a JetStream stream, its messages matching `subject` (all when `nil`),
        /// from where `deliver` says.
        case stream(String, subject: String?, deliver: DeliverPolicy)
    }

    /// What the source reads.
    public let mode: Mode
    /// The servers, credentials and TLS files.
    public let connection: NATSConnectionConfig
    /// Whether ``connection`` is `cluster.nats` (the source has no `url:` of its own).
    public let usesClusterConnection: Bool
    /// `event`: the type of every event; `nil` to read the `Gateway-Event` header.
    public let event: String?
    /// `id_header`: the header that gives each event's id.
    public let idHeader: String

    /// The plugin entry for the registry.
    public static let plugin = SourcePlugin(type: "nats", summary: "events from NATS subjects or a JetStream stream", options: options) {
        NATSSource(options: $0)
    }

    /// Creates a source.
    /// - Parameters:
    ///   - mode: a subject (core NATS) or a stream (JetStream).
    ///   - connection: the servers, credentials and TLS files.
    ///   - usesClusterConnection: whether `connection` is `cluster.nats` (for the summary).
    ///   - event: the type of every event, or `nil` to read the `Gateway-Event` header.
    ///   - idHeader: the header that gives each event's id.
    public init(
        mode: Mode, connection: NATSConnectionConfig, usesClusterConnection: Bool = false, event: String? = nil,
        idHeader: String = NATSSource.defaultIDHeader
    ) {
        self.mode = mode
        self.connection = connection
        self.usesClusterConnection = usesClusterConnection
        self.event = event
        self.idHeader = idHeader
    }

    /// What and where it reads, for `gateway check`: `core NATS 'orders.>' (live only), on cluster.nats (…)`.
    public var summary: String {
        var parts: [String]
        switch mode {
        case .subject(let subject):
            parts = ["core NATS '\(subject)' (live only)"]
        case .stream(let stream, let subject, let deliver):
            parts = ["JetStream stream \(stream)" + (subject.map { " '\($0)'" } ?? "") + ", deliver \(deliver.rawValue)"]
        }
        if let event { parts.append("as '\(event)'") }
        if idHeader != Self.defaultIDHeader { parts.append("ids from \(idHeader)") }
        parts.append(usesClusterConnection ? "on cluster.nats (\(connection))" : "on \(connection)")
        return parts.joined(separator: ", ")
    }

    /// The header that gives an event's type, unless `event` is set.
    public static let eventHeader = "Gateway-Event"
    /// The header that gives an event's id, unless `id_header` names another.
    public static let defaultIDHeader = "Gateway-Id"

    /// How this source's messages become events, with `maxEventSize` as the largest payload.
    func mapping(maxEventSize: Int) -> EventMapping {
        EventMapping(event: event, idHeader: idHeader, maxEventSize: maxEventSize)
    }
}
