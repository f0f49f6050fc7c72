import GatewayServer
import Logging
import NATS

/// An endpoint's stream in JetStream: publishes with the event's headers, reads and follows
/// with the channel decoded from each message's subject.
final class JetStreamClusterStream: ClusterStream {
    let name: String
    let epoch: UInt64
    private let spec: ClusterStreamSpec
    /// The broadcast subject, or the prefix of every channel's.
    private let subject: String
    /// The stream's subject filter: `subject`, or `subject.*` on a channel endpoint.
    private let filter: String
    private let engine: JetStreamEngine

    /// Header of an event's type.
    static let typeHeader = "Gateway-Event"
    /// Header of the id the event's source gave it.
    static let sourceIDHeader = "Gateway-Id"

    /// Channels read one consumer each (merged by sequence) up to this many; more are read
    /// with one consumer over the whole stream, filtered here.
    static let channelsReadApart = 16

    init(spec: ClusterStreamSpec, info: JetStreamStreamInfo, engine: JetStreamEngine) {
        self.spec = spec
        self.name = info.config.name
        // Nanoseconds → milliseconds: the same on every instance, new when the stream is made again.
        self.epoch = UInt64(max(info.created, 0) / 1_000_000)
        self.subject = JetStreamNames.subject(cluster: spec.cluster, endpoint: spec.endpoint)
        self.filter = spec.hasChannels ? JetStreamNames.channelWildcard(cluster: spec.cluster, endpoint: spec.endpoint) : subject
        self.engine = engine
    }

    func publish(
        _ message: ClusterMessage, expectation: PublishExpectation?, completion: @escaping @Sendable (Result<PublishAck, ClusterError>) -> Void
    ) {
        let target: String
        switch (spec.hasChannels, message.channel) {
        case (true, let channel?) where !channel.isEmpty:
            target = JetStreamNames.subject(cluster: spec.cluster, endpoint: spec.endpoint, channel: channel)
        case (true, _):
            completion(.failure(.failed("an event of channel endpoint \(spec.endpoint) has no channel")))
            return
        case (false, nil):
            target = subject
        case (false, .some):
            completion(.failure(.failed("broadcast endpoint \(spec.endpoint) takes no channel")))
            return
        }
        var headers: [NATSHeader] = []
        if let type = message.type { headers.append(NATSHeader(Self.typeHeader, type)) }
        if let id = message.sourceID { headers.append(NATSHeader(Self.sourceIDHeader, id)) }
        var publish = JetStreamPublish(subject: target, headers: headers, payload: Array(message.data.utf8), messageID: message.messageID)
        switch expectation {
        case .lastSequence(let sequence): publish.expectedLastSequence = sequence
        case .lastMessageID(let id): publish.expectedLastMessageID = id
        case nil: break
        }
        engine.connection.publish(publish) { result in
            completion(result.map { PublishAck(sequence: $0.sequence, duplicate: $0.duplicate) }.mapError(ClusterError.init))
        }
    }

    func bounds() async throws -> StreamBounds {
        let info: JetStreamStreamInfo?
        do {
            info = try await engine.connection.streamInfo(name)
        } catch {
            throw ClusterError(error)
        }
        guard let info else { throw ClusterError.failed("stream \(name) does not exist") }
        return StreamBounds(first: info.firstSequence, last: info.lastSequence)
    }

    func read(from start: UInt64, channels: [String], limit: Int) async throws -> [StoredMessage] {
        guard limit > 0 else { return [] }
        do throws(NATSError) {
            if channels.isEmpty || !spec.hasChannels {
                return try await engine.connection.read(stream: name, subject: filter, from: start, limit: limit).map(stored)
            }
            let wanted = Set(channels.filter { !$0.isEmpty })
            if wanted.count <= Self.channelsReadApart {
                var merged: [StoredMessage] = []
                for channel in wanted {
                    let subject = JetStreamNames.subject(cluster: spec.cluster, endpoint: spec.endpoint, channel: channel)
                    merged += try await engine.connection.read(stream: name, subject: subject, from: start, limit: limit).map(stored)
                }
                return Array(merged.sorted { $0.sequence < $1.sequence }.prefix(limit))
            }
            return try await scan(from: start, channels: wanted, limit: limit)
        } catch {
            throw ClusterError(error)
        }
    }

    /// Reads the whole stream from `start` in chunks, keeping `channels`' messages.
    private func scan(from start: UInt64, channels: Set<String>, limit: Int) async throws(NATSError) -> [StoredMessage] {
        var found: [StoredMessage] = []
        var next = start
        while found.count < limit {
            let chunk = try await engine.connection.read(stream: name, subject: filter, from: next, limit: NATSConnection.readBatch)
            for message in chunk.map(stored) where message.channel.map(channels.contains) == true {
                found.append(message)
                if found.count == limit { break }
            }
            guard let last = chunk.last, chunk.count == NATSConnection.readBatch else { break }
            next = last.sequence + 1
        }
        return found
    }

    func follow(from start: UInt64, _ deliver: @escaping @Sendable ([StoredMessage]) -> Void) throws -> any ClusterSubscription {
        let logger = engine.logger
        let name = name
        let follower = engine.connection.follow(
            stream: name, subject: filter, from: start,
            onError: { error in
                logger.warning("NATS consumer trouble; it is made again", metadata: ["cluster.stream": "\(name)", "nats.error": "\(error)"])
            },
            deliver: { [self] messages in deliver(messages.map(stored)) })
        return JetStreamSubscription(follower: follower)
    }

    /// A stored message as the server sees it.
    private func stored(_ message: JetStreamMessage) -> StoredMessage {
        StoredMessage(
            sequence: message.sequence,
            channel: spec.hasChannels ? JetStreamNames.channel(subject: message.subject, prefix: subject) : nil,
            type: message.headers.value(of: Self.typeHeader), sourceID: message.headers.value(of: Self.sourceIDHeader),
            data: String(decoding: message.payload, as: UTF8.self))
    }
}

/// A live tail, as the server sees it.
struct JetStreamSubscription: ClusterSubscription {
    let follower: JetStreamFollower

    func cancel() { follower.cancel() }
}
