import GatewayPlugin
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import GatewayServer

@Suite struct ClusterLogTests {
    let engine = MemoryEngine()

    /// A stream of `count` events ("1"…), and a broadcast endpoint's log whose cache holds the
    /// newest `cache` of them (followed from there, as an instance that started now).
    func log(count: Int, cache: Int, channels: [String]? = nil, filled: Bool = true) async throws -> (ClusterLog, MemoryStream) {
        _ = try await engine.openStream(ClusterStreamSpec(endpoint: "/a", cluster: "c", replay: 100_000, hasChannels: channels != nil))
        let stream = engine.stream("/a")!
        for n in 1...count { stream.append("\(n)", channel: channels.map { $0[n % $0.count] }) }
        let log = ClusterLog(cacheEvents: cache) { stamper, floor in
            channels == nil
                ? MemoryLog(replay: cache, stamper: stamper, retention: .countOnly) as any EventLog
                : Channels(replay: cache, maxChannels: 100, replayBytes: nil, stamper: stamper, retention: .countOnly, floor: floor)
        }
        let bounds = try await stream.bounds()
        let start = bounds.last - UInt64(cache) + 1
        log.open(stream: stream, floor: start - 1)
        guard filled else { return (log, stream) }
        let allocator = ByteBufferAllocator()
        log.append(try await stream.read(from: start, channels: [], limit: 100_000).map { $0.published(epoch: stream.epoch, allocator: allocator) })
        return (log, stream)
    }

    /// Everything the reader gives from `next` on, with the gaps it reports, waiting for pages.
    func readAll(_ cursor: LogCursor) async throws -> (data: [String], gaps: [Gap.Reason]) {
        var next = cursor.resume.start
        var data: [String] = []
        var gaps: [Gap.Reason] = cursor.resume.gaps.map(\.reason)
        for _ in 0..<10_000 {
            var events: [PublishedEvent] = []
            switch cursor.reader.read(from: next, maxBytes: 4096, into: &events) {
            case .served:
                if events.isEmpty { return (data, gaps) }
                for event in events {
                    next = event.sequence + 1
                    data.append(String(buffer: event.payload).split(separator: "\n").first { $0.hasPrefix("data:") }!.dropFirst(6).description)
                }
            case .gone: Issue.record("cut off at \(next)"); return (data, gaps)
            case .gap(let gap): gaps.append(gap.reason)
            case .waiting:
                await withCheckedContinuation { continuation in cursor.reader.notifyWhenReadable { continuation.resume() } }
            }
        }
        Issue.record("too many reads")
        return (data, gaps)
    }

    @Test func aResumeInTheCacheIsServedFromIt() async throws {
        let (log, stream) = try await log(count: 100, cache: 10)
        let cursor = log.open(channels: [], lastEventID: "\(stream.epoch)-95", fromOldest: false, loop: 0)
        #expect(!(cursor.reader is StreamBackfill))
        let read = try await readAll(cursor)
        #expect(read.data == (96...100).map { "\($0)" })
        #expect(read.gaps.isEmpty)
    }

    @Test func aResumeOlderThanTheCacheIsReadFromTheStreamThenTheCache() async throws {
        let (log, stream) = try await log(count: 2000, cache: 10)
        let cursor = log.open(channels: [], lastEventID: "\(stream.epoch)-50", fromOldest: false, loop: 0)
        #expect(cursor.reader is StreamBackfill)
        let read = try await readAll(cursor)
        #expect(read.data == (51...2000).map { "\($0)" })
        #expect(read.gaps.isEmpty)
    }

    @Test func aResumeWhoseEventLeftTheStreamGetsTheGapThenEverythingHeld() async throws {
        let (log, stream) = try await log(count: 100, cache: 10)
        stream.removeThrough(39)
        let cursor = log.open(channels: [], lastEventID: "\(stream.epoch)-20", fromOldest: false, loop: 0)
        let read = try await readAll(cursor)
        #expect(read.gaps == [.tooOld])
        #expect(read.data == (40...100).map { "\($0)" })
    }

    @Test func anIdOfAnEarlierStreamGetsTheGapAndEverythingHeld() async throws {
        let (log, stream) = try await log(count: 30, cache: 10)
        let cursor = log.open(channels: [], lastEventID: "\(stream.epoch - 5)-20", fromOldest: false, loop: 0)
        let read = try await readAll(cursor)
        #expect(read.gaps == [.earlierRun])
        #expect(read.data == (1...30).map { "\($0)" })
    }

    @Test func justAfterStartAnIdOlderThanTheCacheIsStillReadFromTheStream() async throws {
        // The instance follows from 91 on but has not received anything yet.
        let (log, stream) = try await log(count: 100, cache: 10, filled: false)
        let cursor = log.open(channels: [], lastEventID: "\(stream.epoch)-50", fromOldest: false, loop: 0)
        #expect(cursor.reader is StreamBackfill)
        let read = try await readAll(cursor)
        #expect(read.data == (51...100).map { "\($0)" })
        #expect(read.gaps.isEmpty)
    }

    @Test func anIdAheadOfThisInstanceWaitsForWhatFollowsIt() async throws {
        let (log, stream) = try await log(count: 30, cache: 10)
        let cursor = log.open(channels: [], lastEventID: "\(stream.epoch)-35", fromOldest: false, loop: 0)
        #expect(cursor.resume.start == 36)
        #expect(cursor.resume.gaps.isEmpty)
    }

    @Test func aChannelResumesFromItsSubjectOnly() async throws {
        let (log, stream) = try await log(count: 300, cache: 5, channels: ["x", "y", "z"])
        // Channel of n is ["x","y","z"][n % 3]: "y" holds 1, 4, 7, …
        let cursor = log.open(channels: ["y"], lastEventID: "\(stream.epoch)-100", fromOldest: false, loop: 0)
        let read = try await readAll(cursor)
        #expect(read.gaps.isEmpty)
        #expect(read.data == stride(from: 103, through: 300, by: 3).map { "\($0)" })
    }

    @Test func beforeTheStreamIsOpenAClientIsCutOff() {
        let log = ClusterLog(cacheEvents: 10) { stamper, _ in MemoryLog(replay: 10, stamper: stamper) }
        let cursor = log.open(channels: [], lastEventID: nil, fromOldest: false, loop: 0)
        var events: [PublishedEvent] = []
        #expect(cursor.reader.read(from: cursor.resume.start, maxBytes: 100, into: &events) == .gone)
        #expect(!log.isOpen)
    }
}
