import NIOConcurrencyHelpers

/// One client's read of several channels (`?channels=a,b`): their events merged in sequence
/// order, each channel from where the client's `Last-Event-ID` placed it in that channel.
///
/// The client's cursor is one sequence for the merged stream; a channel's own start only
/// matters until the cursor passes it (a channel resumed exactly may start later than one
/// replayed from its oldest event).
final class MergedChannels: EventLogReader, @unchecked Sendable {
    private let channels: [ChannelLog]
    /// Per channel, the first sequence the client gets from it.
    private let starts: [UInt64]
    /// The lock of the channels' ``Channels``.
    private let lock: NIOLock
    // Only used under `lock`, reused to spare allocations.
    private var parts: [PublishedEvent] = []

    init(channels: [ChannelLog], starts: [UInt64], lock: NIOLock) {
        self.channels = channels
        self.starts = starts
        self.lock = lock
    }

    func read(from next: UInt64, maxBytes: Int, into output: inout [PublishedEvent]) -> ReadOutcome {
        lock.withLock {
            parts.removeAll(keepingCapacity: true)
            // Events above `bound` may have been left out of a channel that stopped at `maxBytes`:
            // only what is below it is known to be in order and complete.
            var bound = UInt64.max
            for (channel, start) in zip(channels, starts) {
                let before = parts.count
                let (served, complete) = channel.collect(from: max(next, start), maxBytes: maxBytes, into: &parts)
                guard served else { return .gone }
                if !complete, let last = parts.last, parts.count > before { bound = min(bound, last.sequence) }
            }
            parts.sort { $0.sequence < $1.sequence }
            var bytes = 0
            for event in parts {
                if event.sequence > bound { break }
                if bytes > 0 && bytes + event.chunk.readableBytes > maxBytes { break }
                bytes += event.chunk.readableBytes
                output.append(event)
            }
            return .served
        }
    }
}
