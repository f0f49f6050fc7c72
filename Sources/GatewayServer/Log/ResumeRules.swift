/// What a log tells SPEC §3's resume rules about the events a reconnecting client may be
/// replayed: the endpoint's whole log, or one channel's.
///
/// Read under the log's lock: a window is a view of the log at one moment.
protocol ResumeWindow {
    /// The oldest event within `replay` (its sequence and id), or `nil` when none is.
    var oldestResumable: (sequence: UInt64, id: String?)? { get }
    /// Whether every event of this stream published after sequence `sequence` is still within
    /// the window, so a client that saw `sequence` can be replayed the rest exactly.
    func holdsEverything(after sequence: UInt64) -> Bool
    /// The sequence of the newest event within the window whose id is `id` (`ids: source`).
    func sequence(ofID id: String) -> UInt64?
}

extension Resume {
    /// Where a client that sent `lastEventID` (or none) starts, by SPEC §3's rules.
    /// - Parameters:
    ///   - newest: the endpoint's newest sequence (every channel's, for a channel endpoint):
    ///     an id past it was never sent.
    ///   - channel: the channel resumed, named in the gap notice; `nil` for a broadcast endpoint.
    static func decide(
        lastEventID: String?, stamper: IDStamper, newest: UInt64, window: some ResumeWindow, channel: String? = nil
    ) -> Resume {
        let live = newest + 1
        guard let lastEventID, !lastEventID.isEmpty else { return .from(live, askedToResume: false) }
        let oldest = window.oldestResumable
        func gap(_ reason: Gap.Reason, start: UInt64) -> Resume {
            Resume(
                start: start, askedToResume: true,
                gap: Gap(reason: reason, lastEventID: lastEventID, oldestID: oldest?.id, channel: channel))
        }
        switch stamper.mode {
        case .sequence:
            guard let parsed = IDStamper.parseSequenceID(lastEventID) else { return gap(.unknownID, start: live) }
            if parsed.epoch < stamper.epoch { return gap(.earlierRun, start: oldest?.sequence ?? live) }
            if parsed.epoch > stamper.epoch || parsed.sequence > newest { return gap(.unknownID, start: live) }
            // Up to date, or everything after it is held: nothing was missed.
            if window.holdsEverything(after: parsed.sequence) { return .from(parsed.sequence + 1, askedToResume: true) }
            return gap(.tooOld, start: oldest?.sequence ?? live)
        case .source:
            if let sequence = window.sequence(ofID: lastEventID) { return .from(sequence + 1, askedToResume: true) }
            return gap(.unknownID, start: live)
        }
    }
}
