import GatewayPlugin
import GatewayServer
import NATS

/// Publishes forwarded between instances (SPEC §7 with `log: cluster`): a core NATS request
/// on ``JetStreamNames/publishSubject(cluster:source:)``, answered by the instance running
/// the source. The body is the payload; the content type, and in the answer the status and
/// `Retry-After`, are headers. Only one instance runs a source at a time; should two overlap
/// for a moment, the first to answer wins and the other's events still go through the
/// stream's fencing, as every publish does.
extension JetStreamEngine {
    static let contentTypeHeader = "Gateway-Content-Type"
    static let addressHeader = "Gateway-Remote-Address"
    static let statusHeader = "Gateway-Status"
    static let retryAfterHeader = "Retry-After"

    public func servePublishes(to source: String, _ handler: @escaping @Sendable (PushRequest) -> PushResponse) throws
        -> any ClusterSubscription
    {
        let connection = self.connection
        let logger = self.logger
        do {
            let subscription = try connection.subscribe(subject: JetStreamNames.publishSubject(cluster: cluster, source: source)) { message in
                let request = PushRequest(
                    contentType: message.headers.value(of: Self.contentTypeHeader), body: message.payload,
                    remoteAddress: message.headers.value(of: Self.addressHeader) ?? "?")
                let answer = handler(request)
                var headers = [NATSHeader(Self.statusHeader, "\(answer.status)")]
                if let retryAfter = answer.headers["Retry-After"] { headers.append(NATSHeader(Self.retryAfterHeader, retryAfter)) }
                do {
                    try connection.respond(to: message, headers: headers, payload: Array(answer.body.utf8))
                } catch {
                    logger.warning("could not answer a forwarded publish", metadata: ["source": "\(source)", "error": "\(error)"])
                }
            }
            return CoreSubscription(subscription: subscription)
        } catch {
            throw ClusterError(error)
        }
    }

    public func forwardPublish(_ request: PushRequest, to source: String, timeout: Duration) async throws -> PushResponse {
        var headers = [NATSHeader(Self.addressHeader, request.remoteAddress)]
        if let contentType = request.contentType { headers.append(NATSHeader(Self.contentTypeHeader, contentType)) }
        let reply: NATSMessage
        do {
            reply = try await connection.request(
                subject: JetStreamNames.publishSubject(cluster: cluster, source: source), headers: headers, payload: request.body,
                timeout: timeout)
        } catch {
            throw ClusterError.unreachable("no instance took the publish for source '\(source)': \(error)")
        }
        guard let status = reply.headers.value(of: Self.statusHeader).flatMap({ Int($0) }) else {
            throw ClusterError.failed("a forwarded publish was answered without a status")
        }
        var answerHeaders: [String: String] = [:]
        if let retryAfter = reply.headers.value(of: Self.retryAfterHeader) { answerHeaders["Retry-After"] = retryAfter }
        return PushResponse(status: status, headers: answerHeaders, json: String(decoding: reply.payload, as: UTF8.self))
    }
}

/// A core NATS subscription, as the server sees it.
struct CoreSubscription: ClusterSubscription {
    let subscription: NATSSubscription

    func cancel() { subscription.cancel() }
}
