import GatewayConfig

/// Where a reconnecting client's stream starts, decided from its `Last-Event-ID`.
///
/// SPEC §3: replay every held event after the id; an id that is older than everything held
/// (or from an earlier run, with `ids: sequence`) gets every held event; an id that cannot
/// be placed gets nothing and the client goes on live.
enum ResumePoint: Equatable, Sendable {
    /// No `Last-Event-ID` was given: live events only.
    case live
    /// The id was found: replay the events after this sequence.
    case after(UInt64)
    /// The id is older than everything held: replay every held event.
    case allHeld
    /// The id cannot be placed: live events only.
    case notHeld

    /// The label `gateway_replay_total{result}` counts this under, or `nil` for a plain connect.
    var metricResult: String? {
        switch self {
        case .live: return nil
        case .after: return "resumed"
        case .allHeld: return "all_held"
        case .notHeld: return "not_held"
        }
    }

    /// Resolves `lastEventID` against what the endpoint holds.
    /// - Parameters:
    ///   - lastEventID: the id the client sent, or `nil`.
    ///   - stamper: how the endpoint names its events.
    ///   - ring: the replay ring.
    ///   - lastSequence: the sequence of the newest event published (0 before any).
    static func resolve(_ lastEventID: String?, stamper: IDStamper, ring: ReplayRing, lastSequence: UInt64) -> ResumePoint {
        guard let lastEventID, !lastEventID.isEmpty else { return .live }
        switch stamper.mode {
        case .sequence:
            guard let parsed = IDStamper.parseSequenceID(lastEventID) else { return .notHeld }
            if parsed.epoch < stamper.epoch { return .allHeld }
            if parsed.epoch > stamper.epoch || parsed.sequence > lastSequence { return .notHeld }
            if let oldest = ring.oldestSequence, parsed.sequence + 1 >= oldest { return .after(parsed.sequence) }
            // Older than the oldest held (or nothing held at all): everything held is newer.
            return .allHeld
        case .source:
            guard let sequence = ring.sequence(ofID: lastEventID) else { return .notHeld }
            return .after(sequence)
        }
    }
}
