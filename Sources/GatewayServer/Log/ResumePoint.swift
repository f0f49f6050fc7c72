/// Where a connecting client's stream starts, decided from its `Last-Event-ID`.
struct Resume: Equatable, Sendable {
    /// The first sequence the client is sent.
    var start: UInt64
    /// Whether the client sent an id (it is then counted in `gateway_replay_total`).
    var askedToResume: Bool
    /// Why the id could not be honoured exactly, one per channel that could not (a stream of
    /// several channels resumes each); empty for an exact resume or a plain connect.
    var gaps: [Gap]

    init(start: UInt64, askedToResume: Bool, gap: Gap?) {
        self.init(start: start, askedToResume: askedToResume, gaps: gap.map { [$0] } ?? [])
    }

    init(start: UInt64, askedToResume: Bool, gaps: [Gap]) {
        self.start = start
        self.askedToResume = askedToResume
        self.gaps = gaps
    }

    /// A plain connect, or an exact resume: everything from `start`.
    static func from(_ start: UInt64, askedToResume: Bool) -> Resume {
        Resume(start: start, askedToResume: askedToResume, gaps: [])
    }

    /// The first gap, if any.
    var gap: Gap? { gaps.first }

    /// The label `gateway_replay_total{result}` counts this under, or `nil` for a plain connect.
    var metricResult: String? {
        guard askedToResume else { return nil }
        return gap?.reason.rawValue ?? "resumed"
    }
}

/// A `Last-Event-ID` the endpoint could not honour exactly: what the `reset` event tells the client.
struct Gap: Equatable, Sendable {
    /// SPEC §3 "Gap signal": the `reason` field of the `reset` event.
    enum Reason: String, Sendable, CaseIterable {
        /// An id of an earlier run of the gateway (or an earlier epoch of a cluster stream).
        case earlierRun = "earlier_run"
        /// Older than the oldest event held.
        case tooOld = "too_old"
        /// Anything else that is not held.
        case unknownID = "unknown_id"
    }

    var reason: Reason
    /// What the client sent.
    var lastEventID: String
    /// The id of the oldest event the client could resume from, if any.
    var oldestID: String?
    /// The channel this gap is in, on a channel endpoint; `nil` on a broadcast one.
    var channel: String? = nil
}
