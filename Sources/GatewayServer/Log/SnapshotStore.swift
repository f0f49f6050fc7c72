import DequeModule

/// The latest event per key of an endpoint (per channel on a channel endpoint), bounded by
/// `max_keys`: the state of SPEC §7's `snapshot`.
///
/// Each key maps to its latest event; a type in `delete_on` removes it. Updates are also
/// listed oldest first, so that past `max_keys` the least recently updated key goes in O(1)
/// amortised: an entry whose key has been updated or removed since is stale and skipped, and
/// the list is rebuilt once stale entries outnumber live ones. What a client is sent — a
/// channel's events in sequence order — is sorted once and kept until that channel changes,
/// so a crowd connecting at once shares one copy. Not thread-safe: ``SnapshotLog`` guards it.
struct SnapshotStore {
    /// The channel of a broadcast endpoint's events.
    static let broadcast = ""

    let maxKeys: Int
    /// Per channel, its keys' latest events.
    private var channels: [String: [String: PublishedEvent]] = [:]
    /// Every update, oldest first: `(sequence, channel, key)`; some stale.
    private var updates: Deque<(sequence: UInt64, channel: String, key: String)> = []
    /// Per channel, its events in sequence order, while that channel is unchanged.
    private var sorted: [String: [PublishedEvent]] = [:]
    /// Keys held, over all channels.
    private(set) var count = 0

    init(maxKeys: Int) {
        self.maxKeys = max(1, maxKeys)
    }

    /// Makes `event` its key's latest (or removes the key when `removes`); returns how many
    /// keys were dropped to stay within `max_keys`.
    mutating func apply(_ event: PublishedEvent, key: String, removes: Bool) -> Int {
        let channel = event.channel ?? Self.broadcast
        sorted[channel] = nil
        if removes {
            if channels[channel]?.removeValue(forKey: key) != nil {
                count -= 1
                if channels[channel]?.isEmpty == true { channels[channel] = nil }
            }
            compactIfStale()
            return 0
        }
        if channels[channel, default: [:]].updateValue(event, forKey: key) == nil { count += 1 }
        updates.append((event.sequence, channel, key))
        var evicted = 0
        while count > maxKeys, let oldest = updates.popFirst() {
            guard channels[oldest.channel]?[oldest.key]?.sequence == oldest.sequence else { continue }
            channels[oldest.channel]?[oldest.key] = nil
            if channels[oldest.channel]?.isEmpty == true { channels[oldest.channel] = nil }
            sorted[oldest.channel] = nil
            count -= 1
            evicted += 1
        }
        compactIfStale()
        return evicted
    }

    /// The state of `channel`, in sequence order.
    mutating func events(in channel: String) -> [PublishedEvent] {
        if let cached = sorted[channel] { return cached }
        let events = (channels[channel]?.values).map { $0.sorted { $0.sequence < $1.sequence } } ?? []
        sorted[channel] = events
        return events
    }

    /// Drops keys whose latest event is older than `sequence` (what a bounded cluster stream
    /// no longer holds), so every instance keeps the same state.
    mutating func removeOlder(than sequence: UInt64) {
        while let oldest = updates.first, oldest.sequence < sequence {
            updates.removeFirst()
            guard channels[oldest.channel]?[oldest.key]?.sequence == oldest.sequence else { continue }
            channels[oldest.channel]?[oldest.key] = nil
            if channels[oldest.channel]?.isEmpty == true { channels[oldest.channel] = nil }
            sorted[oldest.channel] = nil
            count -= 1
        }
    }

    private mutating func compactIfStale() {
        guard updates.count > 2 * count + 1024 else { return }
        var live: [(sequence: UInt64, channel: String, key: String)] = []
        live.reserveCapacity(count)
        for (channel, keys) in channels {
            for (key, event) in keys { live.append((event.sequence, channel, key)) }
        }
        live.sort { $0.sequence < $1.sequence }
        updates = Deque(live)
    }
}
