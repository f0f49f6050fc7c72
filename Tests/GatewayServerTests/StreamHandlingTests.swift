import GatewayPlugin
import Logging
import MetricsTestKit
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
import TestSupport

@testable import GatewayServer

/// One endpoint `/a` (replay 5, epoch 7) served on an embedded event loop, and connections to it.
final class EmbeddedGateway {
    let loop = EmbeddedEventLoop()
    let testMetrics = TestMetrics()
    let endpoint: EndpointStream
    let server: ServerContext
    /// Every connection made; each is finished when the gateway goes, whatever the test did.
    private var channels: [EmbeddedChannel] = []

    init(
        maxClients: Int = 10, replay: Int = 5, notReady: [String] = [], heartbeat: TimeAmount = .seconds(60),
        stallTimeout: TimeAmount = .seconds(30), resetEvent: String? = "reset", channel: EventField? = nil, maxChannels: Int = 100
    ) {
        let metrics = GatewayMetrics(factory: testMetrics)
        let logger = Logger(label: "test")
        let path = channel == nil ? "/a" : "/a/{channel}"
        let endpointMetrics = metrics.endpoint(path)
        let stamper = IDStamper(mode: .sequence, epoch: 7)
        // Eviction by count alone, so a test can push a client off the log.
        let log: any EventLog
        if channel != nil {
            let gauge = endpointMetrics.channelGauge()
            log = Channels(
                replay: replay, maxChannels: maxChannels, replayBytes: nil, stamper: stamper, retention: .countOnly,
                evicted: { endpointMetrics.channelEvicted($0) }, counted: { gauge.set($0) })
        } else {
            log = MemoryLog(replay: replay, stamper: stamper, retention: .countOnly)
        }
        // A pull reads about two events, so catching up takes several writes.
        let fanOut = LoopFanOut(
            loop: loop, log: log, endpoint: path, heartbeat: heartbeat, stallTimeout: stallTimeout, pullBytes: 40,
            metrics: endpointMetrics, logger: logger)
        endpoint = EndpointStream(
            path: path, pipeline: Pipeline(steps: []), stamper: stamper, log: log, channelKey: channel, executor: loop, tokens: nil,
            resetEvent: resetEvent, fanOuts: [fanOut], metrics: endpointMetrics, logger: logger)
        server = ServerContext(
            router: Routes(Router(endpoints: [endpoint], statusStream: nil, server: ServerSettings())),
            admission: Admission(limit: maxClients),
            connections: ConnectionBudget(openFileLimit: 1000, reserved: 100, metrics: metrics, logger: logger), metrics: metrics,
            retryMilliseconds: 1500, renderMetrics: { "m 1\n" },
            sourcesNotReady: { notReady }, requestTimeout: .seconds(30), logger: logger)
    }

    deinit {
        for channel in channels {
            #expect(throws: Never.self, "the connection finishes cleanly") { _ = try channel.finish(acceptAlreadyClosed: true) }
        }
    }

    /// A connected channel with the server's pipeline.
    /// `isOverflow`: accepted over the connection budget; `choke`: limits what the connection takes.
    func connect(isOverflow: Bool = false, choke: Choke? = nil) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(loop: loop)
        if let choke { try channel.pipeline.syncOperations.addHandler(choke) }
        try HTTPListener.addHandlers(to: channel.pipeline.syncOperations, server: server, tls: nil, isOverflow: isOverflow)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4000)).wait()
        channels.append(channel)
        return channel
    }

    /// Publishes events with data `n` for each n, then lets the loop deliver them.
    func publish(_ numbers: ClosedRange<Int>) {
        endpoint.ingest(numbers.map { Event(event: "n", data: "\($0)") })
        loop.run()
    }

    /// Publishes events with data `n`, one batch each, then lets the loop deliver them.
    func publishOneByOne(_ numbers: ClosedRange<Int>) {
        for number in numbers { endpoint.ingest([Event(event: "n", data: "\(number)")]) }
        loop.run()
    }

    func counter(_ name: String, _ dimensions: [(String, String)]) throws -> Int64 {
        try testMetrics.expectCounter(name, dimensions).totalValue
    }
}

/// Stands for a socket that takes `allowance` more writes, then is full: the channel goes
/// unwritable as NIO's would past its high water mark.
final class Choke: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var allowance = Int.max

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        allowance -= 1
        if allowance <= 0, let channel = context.channel as? EmbeddedChannel { channel.isWritable = false }
        context.write(data, promise: promise)
    }
}

extension EmbeddedChannel {
    /// Sends request bytes as a client would.
    func request(_ text: String) throws {
        try writeInbound(ByteBuffer(string: text))
    }

    /// Everything the server has written so far, as text, with the body's chunk framing taken
    /// off (each write of a stream is one whole chunk; a write that is not fails the test).
    func written() throws -> String {
        var text = ""
        for write in try writes() {
            if write.hasPrefix("HTTP/1.1 ") {
                text += write
            } else {
                // Exactly one chunk: framing the decoded payload again gives back the write.
                let body = ChunkedBody(Array(write.utf8))
                let reframed = body.payload.isEmpty ? "0\r\n\r\n" : String(body.payload.count, radix: 16) + "\r\n" + body.text + "\r\n"
                #expect(!body.isMalformed && reframed == write, "not one chunk: \(write.debugDescription)")
                text += body.text
            }
        }
        return text
    }

    /// Each buffer the server has written so far, as text.
    func writes() throws -> [String] {
        var writes: [String] = []
        while let buffer = try readOutbound(as: ByteBuffer.self) { writes.append(String(buffer: buffer)) }
        return writes
    }
}

/// The `data:` values of the events in `text`.
func dataValues(_ text: String) -> [String] {
    text.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
}

@Suite struct StreamHandlingTests {
    @Test func aStreamStartsWithItsHeadersThenRetryAndOkAtOnce() throws {
        let gateway = EmbeddedGateway()
        let channel = try gateway.connect()
        try channel.request("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = try channel.written()
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("Content-Type: text/event-stream; charset=utf-8\r\n"))
        #expect(text.contains("Cache-Control: no-cache\r\n"))
        #expect(text.contains("X-Accel-Buffering: no\r\n"))
        #expect(text.contains("Transfer-Encoding: chunked\r\n"))
        #expect(text.hasSuffix("\r\n\r\nretry: 1500\n:ok\n\n"))
        gateway.publish(1...2)
        #expect(try channel.written() == "id: 7-1\nevent: n\ndata: 1\n\nid: 7-2\nevent: n\ndata: 2\n\n")
        #expect(try gateway.testMetrics.expectMeter("gateway_clients", [("endpoint", "/a")]).lastValue == 1)
    }

    @Test func resumingReplaysWhatFollowsTheIDThenGoesLiveWithoutGapOrDuplicate() throws {
        let gateway = EmbeddedGateway()
        let watcher = try gateway.connect()
        try watcher.request("GET /a HTTP/1.1\r\n\r\n")
        gateway.publish(1...3)
        // Event 4 is queued for this loop but not yet drained when the resuming client arrives:
        // it comes in the replay, and the drain that follows must not send it again.
        gateway.endpoint.ingest([Event(event: "n", data: "4")])
        let resuming = try gateway.connect()
        try resuming.request("GET /a HTTP/1.1\r\nLast-Event-ID: 7-2\r\n\r\n")
        gateway.loop.run()
        gateway.publish(5...6)
        #expect(dataValues(try resuming.written()) == ["3", "4", "5", "6"])
        #expect(dataValues(try watcher.written()) == ["1", "2", "3", "4", "5", "6"])
        #expect(try gateway.counter("gateway_replay_total", [("endpoint", "/a"), ("result", "resumed")]) == 1)
    }

    @Test func anIDOfAnEarlierRunReplaysEverythingHeld() throws {
        let gateway = EmbeddedGateway(replay: 3)
        gateway.publish(1...5)
        let channel = try gateway.connect()
        try channel.request("GET /a?lastEventId=6-99 HTTP/1.1\r\n\r\n")
        let text = try channel.written()
        #expect(text.contains("event: reset\ndata: {\"reason\":\"earlier_run\",\"last_event_id\":\"6-99\",\"oldest\":\"7-3\"}\n\n"))
        #expect(dataValues(text).dropFirst() == ["3", "4", "5"])
        #expect(try gateway.counter("gateway_replay_total", [("endpoint", "/a"), ("result", "earlier_run")]) == 1)
    }

    @Test func anIDOlderThanTheOldestHeldIsTooOldAndGetsEverythingHeldAfterTheResetEvent() throws {
        let gateway = EmbeddedGateway(replay: 3)
        gateway.publish(1...5)
        let channel = try gateway.connect()
        try channel.request("GET /a HTTP/1.1\r\nLast-Event-ID: 7-1\r\n\r\n")
        let text = try channel.written()
        // The notice comes right after the opening, with no id, so the client's last id stays.
        #expect(text.hasSuffix(":ok\n\nevent: reset\ndata: {\"reason\":\"too_old\",\"last_event_id\":\"7-1\",\"oldest\":\"7-3\"}\n\nid: 7-3\nevent: n\ndata: 3\n\nid: 7-4\nevent: n\ndata: 4\n\nid: 7-5\nevent: n\ndata: 5\n\n"))
        #expect(try gateway.counter("gateway_replay_total", [("endpoint", "/a"), ("result", "too_old")]) == 1)
    }

    @Test func theResetEventCarriesAnyLastEventIDAsValidJSON() throws {
        let gateway = EmbeddedGateway()
        let channel = try gateway.connect()
        // A polyfill's query parameter can carry what a header cannot: quotes, backslashes, a newline.
        try channel.request("GET /a?lastEventId=%22x%5C%0Ay HTTP/1.1\r\n\r\n")
        let data = try #require(dataValues(try channel.written()).first)
        #expect(data == #"{"reason":"unknown_id","last_event_id":"\"x\\\ny","oldest":null}"#)
    }

    @Test func anExactResumeGetsNoResetEvent() throws {
        let gateway = EmbeddedGateway(replay: 3)
        gateway.publish(1...5)
        let channel = try gateway.connect()
        try channel.request("GET /a HTTP/1.1\r\nLast-Event-ID: 7-2\r\n\r\n")
        let text = try channel.written()
        #expect(!text.contains("reset"))
        #expect(dataValues(text) == ["3", "4", "5"])
    }

    @Test func theResetEventCanBeRenamedOrTurnedOff() throws {
        let renamed = EmbeddedGateway(resetEvent: "gap")
        let first = try renamed.connect()
        try first.request("GET /a HTTP/1.1\r\nLast-Event-ID: nope\r\n\r\n")
        #expect(try first.written().contains("event: gap\ndata: {\"reason\":\"unknown_id\",\"last_event_id\":\"nope\",\"oldest\":null}\n\n"))
        let off = EmbeddedGateway(resetEvent: nil)
        let second = try off.connect()
        try second.request("GET /a HTTP/1.1\r\nLast-Event-ID: nope\r\n\r\n")
        #expect(try second.written().hasSuffix(":ok\n\n"))
        #expect(try off.counter("gateway_replay_total", [("endpoint", "/a"), ("result", "unknown_id")]) == 1)
    }

    @Test func anIDThatCannotBePlacedGetsOnlyLiveEvents() throws {
        let gateway = EmbeddedGateway()
        gateway.publish(1...3)
        let channel = try gateway.connect()
        try channel.request("GET /a HTTP/1.1\r\nLast-Event-ID: who-knows\r\n\r\n")
        gateway.publish(4...4)
        #expect(dataValues(try channel.written()).dropFirst() == ["4"])
        #expect(try gateway.counter("gateway_replay_total", [("endpoint", "/a"), ("result", "unknown_id")]) == 1)
    }

    @Test func aTypeFilterAppliesToReplayAndLiveEvents() throws {
        let gateway = EmbeddedGateway()
        gateway.endpoint.ingest([Event(event: "a", data: "1"), Event(event: "b", data: "2")])
        let channel = try gateway.connect()
        try channel.request("GET /a?event=b,c&lastEventId=7-0 HTTP/1.1\r\n\r\n")
        gateway.endpoint.ingest([Event(event: "c", data: "3"), Event(event: "a", data: "4"), Event(data: "5")])
        gateway.loop.run()
        #expect(dataValues(try channel.written()) == ["2", "3"])
    }

    @Test func aClientThatStopsTakingBytesFallsBehindIsPulledForwardLaterAndOthersGoOn() throws {
        let gateway = EmbeddedGateway(replay: 100)
        let slow = try gateway.connect()
        let fast = try gateway.connect()
        try slow.request("GET /a HTTP/1.1\r\n\r\n")
        try fast.request("GET /a HTTP/1.1\r\n\r\n")
        _ = try slow.written()
        slow.isWritable = false
        gateway.publishOneByOne(1...20)
        #expect(slow.isActive, "a client behind is not cut off")
        #expect(dataValues(try slow.written()).count <= 1)
        #expect(dataValues(try fast.written()) == (1...20).map(String.init))
        slow.isWritable = true
        slow.pipeline.fireChannelWritabilityChanged()
        gateway.publish(21...22)
        #expect(dataValues(try slow.written()) == (2...22).map(String.init))
        #expect(try gateway.counter("gateway_disconnects_total", [("endpoint", "/a"), ("reason", "behind")]) == 0)
    }

    @Test func overMaxClientsANewStreamGets503WithRetryAfter() throws {
        let gateway = EmbeddedGateway(maxClients: 1)
        let first = try gateway.connect()
        try first.request("GET /a HTTP/1.1\r\n\r\n")
        let second = try gateway.connect()
        try second.request("GET /a HTTP/1.1\r\n\r\n")
        let text = try second.written()
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(text.contains("Retry-After: 2\r\n"))
        _ = try first.close().wait()
        let third = try gateway.connect()
        try third.request("GET /a HTTP/1.1\r\n\r\n")
        #expect(try third.written().hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test func garbageIsAnswered400AndCounted() throws {
        let gateway = EmbeddedGateway()
        let channel = try gateway.connect()
        // The handler answers the parser's error itself; nothing reaches the channel's end.
        try channel.request("\u{1}\u{2} nonsense\r\n\r\n")
        #expect(try channel.written().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(try gateway.counter("gateway_client_errors_total", [("reason", "bad_request")]) == 1)
        gateway.loop.run()
        #expect(!channel.isActive)
    }

    @Test func aRequestHeadNotCompleteWithinTheTimeoutIsAnswered408AndCountedAsATimeout() throws {
        let gateway = EmbeddedGateway()
        let channel = try gateway.connect()
        try channel.request("GET /a HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        gateway.loop.advanceTime(by: .seconds(29))
        #expect(try channel.writes().isEmpty)
        gateway.loop.advanceTime(by: .seconds(2))
        #expect(try channel.written().hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(try gateway.counter("gateway_client_errors_total", [("reason", "timeout")]) == 1)
        gateway.loop.run()
        #expect(!channel.isActive)
        // The half-sent head is not also reported as malformed.
        #expect(throws: (any Error).self) { try gateway.counter("gateway_client_errors_total", [("reason", "bad_request")]) }
    }

    @Test func aKeepAliveConnectionIdleForTheTimeoutIsClosedQuietly() throws {
        let gateway = EmbeddedGateway()
        let channel = try gateway.connect()
        try channel.request("GET /healthz HTTP/1.1\r\n\r\n")
        #expect(try channel.written().hasPrefix("HTTP/1.1 200 OK"))
        gateway.loop.advanceTime(by: .seconds(31))
        gateway.loop.run()
        #expect(try channel.writes().isEmpty)
        #expect(!channel.isActive)
        #expect(throws: (any Error).self) { try gateway.counter("gateway_client_errors_total", [("reason", "timeout")]) }
    }

    @Test func keepAliveRequestsAreAnsweredInTurn() throws {
        let gateway = EmbeddedGateway(notReady: ["upstream"])
        let channel = try gateway.connect()
        try channel.request("GET /healthz HTTP/1.1\r\n\r\nGET /readyz HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n")
        let text = try channel.written()
        #expect(text.contains("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n"))
        #expect(text.contains("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(text.contains("not ready: upstream\n"))
        #expect(text.hasSuffix("m 1\n"))
        #expect(channel.isActive)
    }

    @Test func aStreamCountsTheClientLeaving() throws {
        let gateway = EmbeddedGateway()
        let channel = try gateway.connect()
        try channel.request("GET /a HTTP/1.1\r\n\r\n")
        _ = try channel.close().wait()
        #expect(try gateway.counter("gateway_disconnects_total", [("endpoint", "/a"), ("reason", "client_closed")]) == 1)
        #expect(gateway.endpoint.clientCount == 0)
    }
}

@Suite struct CursorTests {
    @Test func aReplayIsFedAsTheClientDrainsAndLiveEventsFollowItInOrder() throws {
        let gateway = EmbeddedGateway(replay: 5)
        gateway.publish(1...5)
        let channel = try gateway.connect()
        channel.isWritable = false
        try channel.request("GET /a HTTP/1.1\r\nLast-Event-ID: 7-1\r\n\r\n")
        gateway.publish(6...7)
        #expect(dataValues(try channel.written()).isEmpty)
        #expect(channel.isActive, "a client taking its replay is not cut off for being unwritable")
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        gateway.publish(8...8)
        #expect(dataValues(try channel.written()) == ["2", "3", "4", "5", "6", "7", "8"])
        _ = try channel.finish()
    }

    @Test func catchingUpWritesSeveralEventsAtATimeAndStopsWheneverTheConnectionIsFull() throws {
        let gateway = EmbeddedGateway(replay: 50)
        let choke = Choke()
        let channel = try gateway.connect(choke: choke)
        try channel.request("GET /a HTTP/1.1\r\n\r\n")
        _ = try channel.written()
        choke.allowance = 1
        gateway.publishOneByOne(1...30)
        // The push that filled the connection was the last write.
        #expect(dataValues(try channel.written()) == ["1"])
        var received = ["1"]
        for _ in 0..<3 {
            choke.allowance = 3
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
            let pulled = dataValues(try channel.written())
            // Pulls of about two events (a 40-byte budget) until the connection is full again.
            #expect((3...4).contains(pulled.count), "pulled \(pulled)")
            received += pulled
        }
        #expect(received == (1...received.count).map(String.init))
        choke.allowance = .max
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        gateway.publish(31...32)
        received += dataValues(try channel.written())
        #expect(received == (1...32).map(String.init), "caught up, then pushed again, in order")
        _ = try channel.finish()
    }

    @Test func aClientWhoseNextEventLeftTheLogIsEndedCleanlyAsBehind() throws {
        let gateway = EmbeddedGateway(replay: 5)
        let channel = try gateway.connect()
        try channel.request("GET /a HTTP/1.1\r\n\r\n")
        _ = try channel.written()
        channel.isWritable = false
        gateway.publishOneByOne(1...(MemoryLog.deliveryMinimum + 10))
        #expect(channel.isActive)
        _ = try channel.written()
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(try channel.writes().last == "0\r\n\r\n", "the stream ends with the last chunk")
        gateway.loop.run()
        #expect(!channel.isActive)
        #expect(try gateway.counter("gateway_disconnects_total", [("endpoint", "/a"), ("reason", "behind")]) == 1)
    }

    @Test func aClientWhoseSocketTakesNothingForTheStallTimeoutIsCutOff() throws {
        let gateway = EmbeddedGateway(replay: 5, stallTimeout: .seconds(2))
        let stalled = try gateway.connect()
        try stalled.request("GET /a HTTP/1.1\r\n\r\n")
        let reader = try gateway.connect()
        try reader.request("GET /a HTTP/1.1\r\n\r\n")
        stalled.isWritable = false
        for second in 1...3 {
            gateway.publish(second...second)
            gateway.loop.advanceTime(by: .milliseconds(900))
        }
        #expect(!stalled.isActive)
        #expect(reader.isActive)
        #expect(try gateway.counter("gateway_disconnects_total", [("endpoint", "/a"), ("reason", "stalled")]) == 1)
        #expect(dataValues(try reader.written()) == ["1", "2", "3"])
        _ = try reader.finish()
    }
}

@Suite struct HeartbeatTests {
    @Test func anIdleStreamGetsAPingAfterTheHeartbeatIntervalAndABusyOneDoesNot() throws {
        let gateway = EmbeddedGateway(heartbeat: .seconds(1))
        let idle = try gateway.connect()
        try idle.request("GET /a?event=never HTTP/1.1\r\n\r\n")
        let busy = try gateway.connect()
        try busy.request("GET /a HTTP/1.1\r\n\r\n")
        _ = try idle.written()
        _ = try busy.written()
        for _ in 0..<8 {
            gateway.loop.advanceTime(by: .milliseconds(250))
            gateway.publish(1...1)
        }
        let idleText = try idle.written()
        let busyText = try busy.written()
        #expect(idleText.components(separatedBy: ": ping\n\n").count - 1 == 2)
        #expect(!busyText.contains(": ping"))
        #expect(dataValues(busyText).count == 8)
    }
}
