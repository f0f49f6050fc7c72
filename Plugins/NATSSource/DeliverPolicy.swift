/// `deliver:` — where a `stream` source starts reading: JetStream's deliver policies.
public enum DeliverPolicy: String, Sendable, CaseIterable {
    /// Only messages stored after the source starts (the default).
    case new
    /// Every message the stream holds, then the new ones.
    case all
    /// The newest message that matches `subject` (or the stream's newest), then the new ones.
    case last

    /// The sequence to follow a stream from, given what it holds when the source starts: its
    /// `first` and `last` sequences, and `lastMatching`, the sequence of its newest message that
    /// matches the filter (`nil` when none does).
    ///
    /// (A stream that does not exist yet is followed from 1 whatever the policy: all that comes
    /// once it is made is new.) The follower resumes from the sequence after the last one it
    /// delivered, so a reconnection neither repeats nor skips (`new` does not skip what arrived
    /// while the connection was down).
    func startSequence(first: UInt64, last: UInt64, lastMatching: UInt64?) -> UInt64 {
        switch self {
        case .all: return max(first, 1)
        case .new: return last + 1
        case .last: return lastMatching ?? last + 1
        }
    }
}
