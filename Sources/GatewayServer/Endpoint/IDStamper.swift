import GatewayPlugin

/// Gives each event the id its endpoint sends (SPEC §2 `ids`).
///
/// With `ids: sequence` an event's id is `EPOCH-N`: EPOCH names this run of the gateway
/// (its start time in milliseconds since 1970) and N counts the endpoint's events from 1.
/// An id from an earlier run therefore has a smaller EPOCH and is recognised as not held.
/// With `ids: source` the event keeps its own id.
struct IDStamper: Sendable {
    /// How ids are chosen.
    let mode: EndpointSettings.IDs
    /// This run's name.
    let epoch: UInt64

    /// The id to send for the event numbered `sequence`.
    func id(for event: Event, sequence: UInt64) -> String? {
        switch mode {
        case .sequence: return "\(epoch)-\(sequence)"
        case .source: return event.id
        }
    }

    /// Parses an id of the `sequence` form into its run and number.
    static func parseSequenceID(_ id: String) -> (epoch: UInt64, sequence: UInt64)? {
        guard let dash = id.utf8.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        guard let epoch = UInt64(id[..<dash]), let sequence = UInt64(id[id.index(after: dash)...]) else { return nil }
        return (epoch, sequence)
    }
}
