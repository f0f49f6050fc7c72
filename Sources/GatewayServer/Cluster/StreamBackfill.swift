import GatewayPlugin
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Reads a client's events from the cluster's stream until the instance's cache holds what
/// comes next, then reads the cache (``ClusterLog``).
///
/// The stream is read a page at a time as the client takes them, on the engine's threads: a
/// read that needs the next page answers ``ReadOutcome/waiting`` and wakes the client's loop
/// when the page is here. So a client resuming far back costs one page of memory, and the
/// loop never waits for the engine. When `verifying` is set, the first page is read from the
/// client's own last event: if that event has left the stream, the client is told of the gap
/// (SPEC §3 `reset`) and gets everything from the oldest event held.
final class StreamBackfill: EventLogReader, @unchecked Sendable {
    /// Events per page read from the stream.
    static let pageSize = 512

    private let inner: any EventLogReader
    private let stream: any ClusterStream
    private let stamper: IDStamper
    private let channels: [String]
    private let floor: UInt64
    private let lastEventID: String
    private let logger: Logger

    private let lock = NIOLock()
    // Guarded by `lock`.
    private var page: [PublishedEvent] = []
    /// Where the page was read from: it holds every event of the client's channels from there
    /// to its last (or, when empty, none from there on existed when it was read).
    private var pageStart: UInt64 = 0
    private var loaded = false
    private var loading = false
    private var failed = false
    /// The client's own last event, to look for in the first page; `nil` once looked for.
    private var verifying: UInt64?
    private var pendingGap: Gap?
    private var wake: (@Sendable () -> Void)?
    /// Once the cache holds what the client needs next, every read goes there.
    private var handedOver = false

    init(
        inner: any EventLogReader, stream: any ClusterStream, stamper: IDStamper, channels: [String], floor: UInt64,
        lastEventID: String, verifying: UInt64?, logger: Logger
    ) {
        self.logger = logger
        self.inner = inner
        self.stream = stream
        self.stamper = stamper
        self.channels = channels
        self.floor = floor
        self.lastEventID = lastEventID
        self.verifying = verifying
    }

    func read(from next: UInt64, maxBytes: Int, into output: inout [PublishedEvent]) -> ReadOutcome {
        enum Step {
            case inner, tryInner, outcome(ReadOutcome)
        }
        let step: Step = lock.withLock {
            if handedOver { return .inner }
            if failed { return .outcome(.gone) }
            if let gap = pendingGap {
                pendingGap = nil
                return .outcome(.gap(gap))
            }
            if loading { return .outcome(.waiting) }
            if loaded && next >= pageStart {
                if let index = page.firstIndex(where: { $0.sequence >= next }) {
                    page.copy(from: index, maxBytes: maxBytes, into: &output)
                    return .outcome(.served)
                }
                // The page is used up; an empty page means the stream had nothing more.
                if page.isEmpty && next <= floor { return .outcome(.served) }
            }
            // Until the client's own event is looked for in the stream, the cache is not asked:
            // it may still hold events the stream (and so the client's resume point) has lost.
            return next > floor && verifying == nil ? .tryInner : .outcome(.waiting)
        }
        switch step {
        case .inner:
            return inner.read(from: next, maxBytes: maxBytes, into: &output)
        case .tryInner:
            // The cache may hold it (it holds everything after the floor it has not dropped since).
            let outcome = inner.read(from: next, maxBytes: maxBytes, into: &output)
            if outcome != .gone {
                lock.withLock {
                    handedOver = true
                    page = []
                }
                return outcome
            }
        case .outcome(let outcome):
            if outcome != .waiting { return outcome }
        }
        let start: UInt64? = lock.withLock {
            if loading { return nil }
            loading = true
            return verifying ?? next
        }
        if let start { load(from: start) }
        return .waiting
    }

    func notifyWhenReadable(_ wake: @escaping @Sendable () -> Void) {
        let now = lock.withLock {
            if loading {
                self.wake = wake
                return false
            }
            return true
        }
        if now { wake() }
    }

    private func load(from start: UInt64) {
        Task { [stream, channels, stamper, logger, lastEventID] in
            let messages: [StoredMessage]?
            do {
                messages = try await stream.read(from: start, channels: channels, limit: Self.pageSize)
            } catch {
                logger.warning(
                    "cannot read a resuming client's events from the cluster's stream: it is cut off and comes back",
                    metadata: ["stream": "\(stream.name)", "last_event_id": "\(lastEventID)", "error": "\(error)"])
                messages = nil
            }
            let allocator = ByteBufferAllocator()
            var events = (messages ?? []).map { $0.published(epoch: stamper.epoch, allocator: allocator) }
            let wake: (@Sendable () -> Void)? = lock.withLock {
                defer {
                    loading = false
                    self.wake = nil
                }
                guard messages != nil else {
                    // The engine cannot be asked now: the client is cut off and comes back.
                    failed = true
                    return self.wake
                }
                if let verifying {
                    self.verifying = nil
                    if events.first?.sequence == verifying {
                        events.removeFirst()
                    } else {
                        pendingGap = Gap(
                            reason: .tooOld, lastEventID: lastEventID, oldestID: events.first?.id,
                            channel: channels.count == 1 ? channels[0] : nil)
                    }
                }
                page = events
                pageStart = start
                loaded = true
                return self.wake
            }
            wake?()
        }
    }
}

extension StoredMessage {
    /// The event as the endpoint publishes it: id `EPOCH-SEQ`, encoded once.
    func published(epoch: UInt64, allocator: ByteBufferAllocator) -> PublishedEvent {
        let id = "\(epoch)-\(sequence)"
        let event = Event(id: id, event: type, data: data)
        let (chunk, offset) = ChunkFraming.encode(event, allocator: allocator)
        return PublishedEvent(sequence: sequence, id: id, type: event.type, chunk: chunk, payloadOffset: offset, channel: channel)
    }
}
