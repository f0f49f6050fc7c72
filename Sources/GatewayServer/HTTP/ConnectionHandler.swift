import GatewayJWT
import GatewayPlugin
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP connection: routes requests, answers them, or turns the connection into an
/// event stream registered with its endpoint's fan-out. A thin shell over ``Router`` and
/// ``ConnectionStateMachine``.
final class ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart

    /// What the handler writes: HTTP/1.1 bytes on a connection, or response parts on an
    /// HTTP/2 stream (whose codec frames them).
    enum Wire {
        case http1
        case http2
    }

    private let server: ServerContext
    /// Accepted over the connection budget: answered once, never a stream, then closed.
    private let isOverflow: Bool
    /// The request decoder in front of this handler; removed once the connection streams.
    private let decoder: (any RemovableChannelHandler)?
    private let wire: Wire
    private var state = ConnectionStateMachine()
    private var route: Router.Route?
    private var address = "?"
    private var requestTimer: Scheduled<Void>?
    /// The body being read of a request whose route reads one (a push source's path, a ticket
    /// request): its content type and body so far.
    private var requestBody: (contentType: String?, body: ByteBuffer)?
    /// Ends the stream when the token that opened it expires.
    private var expiryTimer: Scheduled<Void>?
    /// The request's `Accept-Encoding` allows gzip (and the server compresses).
    private var gzip = false

    // Set while the connection streams.
    private var client: StreamClient?
    private var endpoint: EndpointStream?
    private var fanOut: LoopFanOut?

    init(server: ServerContext, decoder: (any RemovableChannelHandler)?, isOverflow: Bool = false, wire: Wire = .http1) {
        self.server = server
        self.decoder = decoder
        self.isOverflow = isOverflow
        self.wire = wire
    }

    /// Removed before it served anything (the connection turned out to speak HTTP/2).
    func handlerRemoved(context: ChannelHandlerContext) {
        requestTimer?.cancel()
        expiryTimer?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        address = context.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        armRequestTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        requestTimer?.cancel()
        expiryTimer?.cancel()
        if let client, let endpoint, let fanOut {
            fanOut.remove(client)
            server.admission.release()
            let reason = client.endReason ?? .clientClosed
            endpoint.metrics.disconnect(reason)
            endpoint.metrics.clients.decrement()
            server.logger.debug(
                "stream closed",
                metadata: ["endpoint": "\(endpoint.path)", "client.address": "\(address)", "reason": "\(reason.rawValue)"])
            self.client = nil
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Once streaming, the decoder is gone and whatever the client sends is dropped unread.
        if state.ignoresInput { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            let route = server.router.route(method: head.method, uri: head.uri, headers: head.headers)
            self.route = route
            gzip = server.compression && route.streams && ContentCoding.acceptsGzip(head.headers[canonicalForm: "accept-encoding"].map(String.init))
            if let limit = route.bodyLimit {
                _ = state.head(keepAlive: head.isKeepAlive, isHead: false, bodyLimit: limit)
                startReadingBody(context: context, head: head, limit: limit)
            } else {
                _ = state.head(keepAlive: head.isKeepAlive, isHead: head.method == .HEAD)
            }
        case .body(var body):
            if case .rejectMalformed = state.body(count: body.readableBytes) {
                requestBody = nil
                server.metrics.clientError("body_too_large")
                reply(context: context, .text(.payloadTooLarge, "request body too large"), isHead: false, keepAlive: false)
            } else if requestBody != nil {
                requestBody!.body.writeBuffer(&body)
            }
        case .end:
            if case .answer(let keepAlive, let isHead) = state.end(), let route {
                answer(context: context, route: route, keepAlive: keepAlive && !isOverflow, isHead: isHead)
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let client, let fanOut { fanOut.writabilityChanged(client) }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            let tooLarge = parserError == .headerOverflow
            switch state.malformed(headTooLarge: tooLarge) {
            case .rejectMalformed(let headTooLarge):
                server.metrics.clientError(headTooLarge ? "header_too_large" : "bad_request")
                server.logger.info(
                    "malformed request", metadata: ["client.address": "\(address)", "error": "\(parserError)"])
                let response: Response =
                    headTooLarge
                    ? .text(.init(statusCode: 431, reasonPhrase: "Request Header Fields Too Large"), "request header fields too large")
                    : .text(.badRequest, "malformed request")
                reply(context: context, response, isHead: false, keepAlive: false)
            case .close:
                context.close(promise: nil)
            default:
                break
            }
            return
        }
        // Resets and other I/O errors: the connection is gone or going; closing is all there is to do.
        if let client, client.endReason == nil { client.endReason = .error }
        context.close(promise: nil)
    }

    // MARK: Answers

    private func answer(context: ChannelHandlerContext, route: Router.Route, keepAlive: Bool, isHead: Bool) {
        if isOverflow, route.streams {
            server.connections.refusedStream()
            refuseStream(context: context, reason: "connection limit reached", headers: [])
            return
        }
        switch route {
        case .respond(let response):
            reply(context: context, response, isHead: isHead, keepAlive: keepAlive)
        case .refuse(let refusal, let headers):
            var metadata: Logger.Metadata = [
                "client.address": "\(address)", "status": "\(refusal.status.code)", "reason": "\(refusal.reason)",
            ]
            if let endpoint = refusal.endpoint { metadata["endpoint"] = "\(endpoint)" }
            server.logger.log(level: refusal.logLevel, "request refused", metadata: metadata)
            reply(context: context, refusal.response(corsHeaders: headers), isHead: isHead, keepAlive: keepAlive)
        case .ticket(let token, let headers):
            let body = requestBody.map { Array($0.body.readableBytesView) } ?? []
            requestBody = nil
            let answer = server.router.router.issueTicket(body: body, token: token, corsHeaders: headers)
            self.answer(context: context, route: answer, keepAlive: keepAlive, isHead: false)
        case .push(let route, let relay, let headers):
            answerPush(context: context, route: route, relay: relay, headers: headers, keepAlive: keepAlive)
        case .metrics(let headers):
            let response = Response(
                .ok, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")] + headers, body: server.renderMetrics())
            reply(context: context, response, isHead: isHead, keepAlive: keepAlive)
        case .readiness(let headers):
            let waiting = server.sourcesNotReady()
            let response: Response =
                waiting.isEmpty
                ? .text(.ok, "ready", headers: headers)
                : .text(.serviceUnavailable, "not ready: " + waiting.joined(separator: ", "), headers: headers)
            reply(context: context, response, isHead: isHead, keepAlive: keepAlive)
        case .stream(let endpoint, let channels, let lastEventID, let types, let headers, let closesAt):
            startStream(
                context: context, endpoint: endpoint, channels: channels, lastEventID: lastEventID, types: types, headers: headers,
                isHead: isHead, replayLatest: false, closesAt: closesAt)
        case .statusStream(let status, let headers):
            startStream(
                context: context, endpoint: status, channels: [], lastEventID: nil, types: nil, headers: headers, isHead: isHead,
                replayLatest: true, closesAt: nil)
        }
    }

    private func reply(context: ChannelHandlerContext, _ response: Response, isHead: Bool, keepAlive: Bool) {
        let written: EventLoopFuture<Void>
        switch wire {
        case .http1:
            written = context.writeAndFlush(
                NIOAny(response.encode(omittingBody: isHead, close: !keepAlive, allocator: context.channel.allocator)))
        case .http2:
            let parts = response.parts(omittingBody: isHead)
            for part in parts.dropLast() { context.write(NIOAny(part), promise: nil) }
            written = context.writeAndFlush(NIOAny(parts.last!))
            // The stream ends with its answer; the connection goes on with its other streams.
            state.closingAfterAnswer()
            requestTimer?.cancel()
            if keepAlive { return }
        }
        if keepAlive {
            armRequestTimer(context: context)
        } else {
            state.closingAfterAnswer()
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Queues an event stream's head (unflushed: the opening and the first events go with it).
    private func writeStreamHead(context: ChannelHandlerContext, headers: [(String, String)]) -> EventLoopFuture<Void> {
        switch wire {
        case .http1:
            return context.write(NIOAny(Response.streamHead(extraHeaders: headers, allocator: context.channel.allocator)))
        case .http2:
            return context.write(NIOAny(Response.streamHeadPart(extraHeaders: headers)))
        }
    }

    private func startStream(
        context: ChannelHandlerContext, endpoint: EndpointStream, channels: [String], lastEventID: String?, types: Set<String>?,
        headers: [(String, String)], isHead: Bool, replayLatest: Bool, closesAt: Double?
    ) {
        // Caches must tell gzip'd streams from plain ones (RFC 9110 §12.5.5).
        var headers = headers
        if server.compression { headers.append(("Vary", "Accept-Encoding")) }
        if gzip { headers.append(("Content-Encoding", "gzip")) }
        if isHead {
            state.closingAfterAnswer()
            let channel = context.channel
            if wire == .http2 {
                context.write(NIOAny(Response.streamHeadPart(extraHeaders: headers)), promise: nil)
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
                return
            }
            writeStreamHead(context: context, headers: headers).whenComplete { _ in channel.close(promise: nil) }
            context.flush()
            return
        }
        if let log = endpoint.clusterLog, !log.isOpen {
            refuseStream(context: context, reason: "the endpoint's cluster stream is not open yet", headers: headers)
            return
        }
        guard server.admission.admit() else {
            server.logger.info("stream refused: max_clients reached", metadata: ["client.address": "\(address)"])
            refuseStream(context: context, reason: "too many clients", headers: headers)
            return
        }
        requestTimer?.cancel()
        requestTimer = nil
        state.startedStream()
        if let decoder { context.pipeline.syncOperations.removeHandler(decoder, promise: nil) }

        // From `subscribe` to `start` this runs on the client's loop without yielding, so no
        // drain of this loop falls between placing the client in the log and adding it.
        let fanOut = endpoint.fanOut(on: context.eventLoop)
        _ = writeStreamHead(context: context, headers: headers)
        let transport: any StreamTransport = wire == .http1 ? HTTP1StreamWriter(context: context) : HTTP2StreamWriter(context: context)
        let writer: any ClientWriter = gzip ? GzipStreamWriter(transport: transport, compressor: fanOut.compressor()) : transport
        writer.write(text: WireFormat.opening(retryMilliseconds: server.retryMilliseconds))
        let (client, resume) = fanOut.subscribe(
            writer: writer, types: types, address: address, channels: channels, lastEventID: lastEventID, fromOldest: replayLatest)
        if let result = resume.metricResult { endpoint.metrics.replay(result) }
        if let resetEvent = endpoint.resetEvent {
            for gap in resume.gaps { writer.write(text: WireFormat.reset(gap, type: resetEvent)) }
        }
        fanOut.start(client)
        self.client = client
        self.endpoint = endpoint
        self.fanOut = fanOut
        if let closesAt { closeStream(of: client, on: fanOut, at: closesAt, context: context) }
        endpoint.metrics.clients.increment()
        server.metrics.streamOpened(protocol: wire == .http1 ? "http/1.1" : "h2", encoding: gzip ? "gzip" : "identity")
        server.logger.debug(
            "stream opened",
            metadata: [
                "endpoint": "\(endpoint.path)", "client.address": "\(address)", "resume": "\(resume.metricResult ?? "live")",
                "channels": "\(channels.joined(separator: ","))",
            ])
    }

    /// Ends the stream at `closesAt` (seconds since 1970), when the token that opened it
    /// expires (SPEC §6): cleanly, on an event boundary, so the client reconnects with a new
    /// token and resumes with `Last-Event-ID`.
    private func closeStream(of client: StreamClient, on fanOut: LoopFanOut, at closesAt: Double, context: ChannelHandlerContext) {
        // Clamped to a year: a TimeAmount holds about 292 years of nanoseconds, an `exp` anything.
        let seconds = min(max(0, closesAt - WallClock.now()), 365 * 86_400)
        expiryTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(seconds * 1_000_000_000))) {
            fanOut.endStream(of: client, reason: .tokenExpired)
        }
    }

    /// A request whose route reads a body (a push source's, a ticket request): refused at once
    /// when its declared length is over the limit (`413`, unread); otherwise its body is
    /// gathered, after a `100 Continue` if the client waits for one (curl does for bodies over 1 KiB).
    private func startReadingBody(context: ChannelHandlerContext, head: HTTPRequestHead, limit: Int) {
        let length = head.headers.first(name: "content-length").flatMap { Int($0) }
        if let length, length > limit {
            server.metrics.clientError("body_too_large")
            let isPush: Bool
            if case .push? = route { isPush = true } else { isPush = false }
            let response: Response = .text(.payloadTooLarge, "request body over \(isPush ? "max_body (\(limit) bytes)" : "\(limit) bytes")")
            reply(context: context, response, isHead: false, keepAlive: false)
            return
        }
        requestBody = (head.headers.first(name: "content-type"), context.channel.allocator.buffer(capacity: min(length ?? 4096, limit)))
        // HTTP/2 clients send the body without waiting for `100 Continue`.
        if wire == .http1, head.headers.first(name: "expect")?.lowercased() == "100-continue" {
            context.writeAndFlush(NIOAny(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
        }
    }

    /// Hands a push request, read in full, to its source and writes the source's answer.
    private func answerPush(
        context: ChannelHandlerContext, route: PushRoute, relay: PushRelay?, headers: [(String, String)], keepAlive: Bool
    ) {
        let read = requestBody
        requestBody = nil
        let request = PushRequest(
            contentType: read?.contentType, body: read.map { Array($0.body.readableBytesView) } ?? [], remoteAddress: address)
        guard let relay, !relay.runsHere else {
            writePush(context: context, answer: route.handle(request), headers: headers, keepAlive: keepAlive)
            return
        }
        // Another instance runs the source. Nothing more is read meanwhile: the connection
        // closes after this answer, so answers never overtake one another.
        state.closingAfterAnswer()
        let promise = context.eventLoop.makePromise(of: PushResponse.self)
        promise.completeWithTask { await relay.forward(request) }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { answer in
            let (handler, context) = bound.value
            handler.writePush(context: context, answer: answer, headers: headers, keepAlive: false)
        }
    }

    private func writePush(context: ChannelHandlerContext, answer: PushResponse, headers: [(String, String)], keepAlive: Bool) {
        if answer.status >= 400 { server.metrics.clientError("publish_rejected") }
        let response = Response(
            HTTPResponseStatus(statusCode: answer.status),
            headers: [("Content-Type", "application/json")] + answer.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + headers,
            body: answer.body + "\n")
        reply(context: context, response, isHead: false, keepAlive: keepAlive)
    }

    /// `503` with `Retry-After` (the `retry:` hint, rounded up to whole seconds), then close.
    private func refuseStream(context: ChannelHandlerContext, reason: String, headers: [(String, String)]) {
        let seconds = max(1, (server.retryMilliseconds + 999) / 1000)
        reply(
            context: context, .text(.serviceUnavailable, reason, headers: [("Retry-After", "\(seconds)")] + headers),
            isHead: false, keepAlive: false)
    }

    private func armRequestTimer(context: ChannelHandlerContext) {
        requestTimer?.cancel()
        let channel = context.channel
        // A connection in the overflow holds one of the few descriptors left: it gets a moment, not the full wait.
        let timeout = isOverflow ? min(server.requestTimeout, Self.overflowRequestTimeout) : server.requestTimeout
        requestTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            switch state.timedOut() {
            case .rejectTimeout:
                server.metrics.clientError("timeout")
                server.logger.debug("request timed out", metadata: ["client.address": "\(address)"])
                reply(context: context, .text(.requestTimeout, "request timeout"), isHead: false, keepAlive: false)
            case .close:
                channel.close(promise: nil)
            default:
                break
            }
        }
    }
}

extension ConnectionHandler {
    /// How long a connection over the budget may take to send its request.
    static let overflowRequestTimeout: TimeAmount = .seconds(2)
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}
