import CNATS

/// A JetStream key-value bucket (stream `KV_<bucket>`, subjects `$KV.<bucket>.<key>`), in the
/// layout every NATS client shares, with the revision checks a lease needs.
///
/// Entries older than the bucket's TTL vanish (the stream's age limit), which makes a value
/// that is not rewritten in time lapse by itself.
public final class KeyValueBucket: Sendable {
    public let name: String
    let connection: NATSConnection

    init(name: String, connection: NATSConnection) {
        self.name = name
        self.connection = connection
    }

    /// One revision of a key.
    public struct Entry: Sendable, Equatable {
        public enum Operation: Sendable, Equatable { case put, delete, purge }

        public var key: String
        public var value: [UInt8]
        /// Its sequence in the bucket's stream.
        public var revision: UInt64
        public var operation: Operation
    }

    /// The latest entry of `key` (a delete or purge marker included); `nil` when it has none
    /// (never written, or lapsed).
    public func latest(_ key: String) async throws(NATSError) -> Entry? {
        try await connection.run { () throws(NATSError) in try self.latestNow(key) }
    }

    /// Writes `value` under `key` only if the key holds no value (never written, lapsed, or
    /// deleted); returns the new revision. A key holding a value fails with
    /// ``NATSError/isWrongLastSequence``.
    public func create(_ key: String, value: [UInt8]) async throws(NATSError) -> UInt64 {
        try await connection.run { () throws(NATSError) in
            do throws(NATSError) {
                return try self.putNow(key, value: value, lastRevision: 0, headers: [])
            } catch where error.isWrongLastSequence {
                // A delete or purge marker is a revision too: replace it.
                guard let marker = try self.latestNow(key), marker.operation != .put else { throw error }
                return try self.putNow(key, value: value, lastRevision: marker.revision, headers: [])
            }
        }
    }

    /// Writes `value` under `key` only if its latest revision is `revision`; returns the new one.
    /// Another revision fails with ``NATSError/isWrongLastSequence``.
    public func update(_ key: String, value: [UInt8], revision: UInt64) async throws(NATSError) -> UInt64 {
        try await connection.run { () throws(NATSError) in try self.putNow(key, value: value, lastRevision: revision, headers: []) }
    }

    /// Deletes `key` (writes a delete marker) only if its latest revision is `revision`.
    public func delete(_ key: String, revision: UInt64) async throws(NATSError) {
        _ = try await connection.run { () throws(NATSError) in
            try self.putNow(key, value: [], lastRevision: revision, headers: [NATSHeader("KV-Operation", "DEL")])
        }
    }

    private var stream: String { "KV_\(name)" }
    private func subject(_ key: String) -> String { "$KV.\(name).\(key)" }

    func latestNow(_ key: String) throws(NATSError) -> Entry? {
        var msg: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetLastMsg(&msg, connection.jetStream, stream, subject(key), nil, &code)
        if status == NATS_NOT_FOUND || code == JSNoMessageFoundErr { return nil }
        try NATSError.check(status, code)
        guard let msg else { return nil }
        defer { natsMsg_Destroy(msg) }
        let message = MessageCopy.fetched(msg)
        let operation: Entry.Operation =
            switch message.headers.value(of: "KV-Operation") {
            case "DEL": .delete
            case "PURGE": .purge
            default: .put
            }
        return Entry(key: key, value: message.payload, revision: message.sequence, operation: operation)
    }

    /// Publishes to the key's subject expecting `lastRevision` as its last (0: none).
    private func putNow(_ key: String, value: [UInt8], lastRevision: UInt64, headers: [NATSHeader]) throws(NATSError) -> UInt64 {
        let all = headers + [NATSHeader("Nats-Expected-Last-Subject-Sequence", String(lastRevision))]
        // A synchronous publish leaves the message to the caller.
        let msg = try MessageCopy.outgoing(subject: subject(key), headers: all, payload: value)
        defer { natsMsg_Destroy(msg) }
        var ack: UnsafeMutablePointer<jsPubAck>?
        var code = jsErrCode(rawValue: 0)
        try NATSError.check(js_PublishMsg(&ack, connection.jetStream, msg, nil, &code), code)
        defer { jsPubAck_Destroy(ack) }
        return ack?.pointee.Sequence ?? 0
    }
}

extension NATSConnection {
    /// The bucket called `name` (letters, digits, `-`, `_`), made if missing; an existing one
    /// gets `ttl` as its TTL (its keys stay), and `replicas`.
    public func keyValue(bucket name: String, ttl: Duration, replicas: Int = 1) async throws(NATSError) -> KeyValueBucket {
        let config = JetStreamStreamConfig(
            name: "KV_\(name)", subjects: ["$KV.\(name).>"], maxMessagesPerSubject: 1, maxAge: ttl, discardNew: true,
            allowDirect: true, allowRollup: true, denyDelete: true, replicas: replicas)
        _ = try await ensureStream(config)
        return KeyValueBucket(name: name, connection: self)
    }
}
