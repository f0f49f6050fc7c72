import CNATS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The settings of a JetStream stream this wrapper manages (the others keep their defaults).
public struct JetStreamStreamConfig: Sendable, Equatable {
    public enum Storage: Sendable, Equatable { case file, memory }

    public var name: String
    public var subjects: [String]
    public var storage: Storage
    /// Messages kept in all; `nil` for no limit.
    public var maxMessages: Int64?
    /// Messages kept per subject; `nil` for no limit.
    public var maxMessagesPerSubject: Int64?
    /// Bytes kept in all; `nil` for no limit.
    public var maxBytes: Int64?
    /// Age past which messages are dropped; `nil` for no limit.
    public var maxAge: Duration?
    /// How long a message id is remembered to drop duplicates; `nil` for the server's default
    /// (2 minutes, or the age limit when shorter).
    public var duplicateWindow: Duration?
    /// Refuse new messages (rather than drop old ones) at the limits.
    public var discardNew: Bool
    /// Answer "direct get" requests (any replica answers; KV buckets use it).
    public var allowDirect: Bool
    public var allowRollup: Bool
    public var denyDelete: Bool
    /// Copies the servers keep (at most the number of servers in the JetStream cluster).
    public var replicas: Int

    public init(
        name: String, subjects: [String], storage: Storage = .file, maxMessages: Int64? = nil, maxMessagesPerSubject: Int64? = nil,
        maxBytes: Int64? = nil, maxAge: Duration? = nil, duplicateWindow: Duration? = nil, discardNew: Bool = false,
        allowDirect: Bool = false, allowRollup: Bool = false, denyDelete: Bool = false, replicas: Int = 1
    ) {
        self.name = name
        self.subjects = subjects
        self.storage = storage
        self.maxMessages = maxMessages
        self.maxMessagesPerSubject = maxMessagesPerSubject
        self.maxBytes = maxBytes
        self.maxAge = maxAge
        self.duplicateWindow = duplicateWindow
        self.discardNew = discardNew
        self.allowDirect = allowDirect
        self.allowRollup = allowRollup
        self.denyDelete = denyDelete
        self.replicas = replicas
    }
}

/// A stream's creation time, configuration and state.
public struct JetStreamStreamInfo: Sendable, Equatable {
    public var config: JetStreamStreamConfig
    /// When the stream was created (nanoseconds since 1970); kept across updates and restarts.
    public var created: Int64
    /// Messages held.
    public var messages: UInt64
    public var bytes: UInt64
    /// The oldest sequence held (the last + 1 when none is).
    public var firstSequence: UInt64
    /// The newest sequence ever stored (0 when none ever was).
    public var lastSequence: UInt64
    /// Consumers the stream has.
    public var consumers: Int
}

extension NATSConnection {
    /// The stream called `name`, or `nil` when there is none.
    public func streamInfo(_ name: String) async throws(NATSError) -> JetStreamStreamInfo? {
        try await run { () throws(NATSError) in try self.streamInfoNow(name) }
    }

    /// Creates the stream, or updates it to `config` when it exists with other settings (its
    /// messages and creation time stay); returns its info.
    public func ensureStream(_ config: JetStreamStreamConfig) async throws(NATSError) -> JetStreamStreamInfo {
        try await run { () throws(NATSError) in try self.ensureStreamNow(config) }
    }

    /// Deletes the stream and its messages.
    public func deleteStream(_ name: String) async throws(NATSError) {
        try await run { () throws(NATSError) in
            var code = jsErrCode(rawValue: 0)
            try NATSError.check(js_DeleteStream(self.jetStream, name, nil, &code), code)
        }
    }

    func streamInfoNow(_ name: String) throws(NATSError) -> JetStreamStreamInfo? {
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetStreamInfo(&info, jetStream, name, nil, &code)
        if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr { return nil }
        try NATSError.check(status, code)
        guard let info else { return nil }
        defer { jsStreamInfo_Destroy(info) }
        return JetStreamStreamInfo(info.pointee)
    }

    func ensureStreamNow(_ config: JetStreamStreamConfig) throws(NATSError) -> JetStreamStreamInfo {
        // Two instances may create the same stream at once: the loser of the race updates.
        for _ in 0..<3 {
            if let existing = try streamInfoNow(config.name) {
                if existing.config == config { return existing }
                return try config.withC { (c: inout jsStreamConfig) throws(NATSError) in try self.addOrUpdate(&c, update: true) }
            }
            do throws(NATSError) {
                return try config.withC { (c: inout jsStreamConfig) throws(NATSError) in try self.addOrUpdate(&c, update: false) }
            } catch where error.jetStreamCode == Int(JSStreamNameExistErr.rawValue) {
                continue
            }
        }
        throw NATSError.invalid("stream \(config.name) was created and deleted while being set up")
    }

    private func addOrUpdate(_ config: inout jsStreamConfig, update: Bool) throws(NATSError) -> JetStreamStreamInfo {
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = update ? js_UpdateStream(&info, jetStream, &config, nil, &code) : js_AddStream(&info, jetStream, &config, nil, &code)
        try NATSError.check(status, code)
        guard let info else { throw NATSError.invalid("no stream info") }
        defer { jsStreamInfo_Destroy(info) }
        return JetStreamStreamInfo(info.pointee)
    }
}

extension JetStreamStreamInfo {
    init(_ info: jsStreamInfo) {
        let state = info.State
        config = info.Config.map { JetStreamStreamConfig($0.pointee) } ?? JetStreamStreamConfig(name: "", subjects: [])
        created = info.Created
        messages = state.Msgs
        bytes = state.Bytes
        lastSequence = state.LastSeq
        // An empty stream reports 0 (never used) or last + 1 (emptied).
        firstSequence = state.Msgs == 0 ? state.LastSeq + 1 : state.FirstSeq
        consumers = Int(state.Consumers)
    }
}

extension JetStreamStreamConfig {
    init(_ c: jsStreamConfig) {
        var subjects: [String] = []
        if let list = c.Subjects {
            for index in 0..<Int(c.SubjectsLen) { if let subject = list[index] { subjects.append(String(cString: subject)) } }
        }
        // The server reports the default duplicate window (2 min, or the age limit) explicitly;
        // it counts as "not set" so that a config asking for the default compares equal.
        let defaultWindow: Int64 = c.MaxAge > 0 ? min(c.MaxAge, 120_000_000_000) : 120_000_000_000
        self.init(
            name: c.Name.map { String(cString: $0) } ?? "", subjects: subjects, storage: c.Storage == js_MemoryStorage ? .memory : .file,
            maxMessages: c.MaxMsgs > 0 ? c.MaxMsgs : nil, maxMessagesPerSubject: c.MaxMsgsPerSubject > 0 ? c.MaxMsgsPerSubject : nil,
            maxBytes: c.MaxBytes > 0 ? c.MaxBytes : nil, maxAge: c.MaxAge > 0 ? .nanoseconds(c.MaxAge) : nil,
            duplicateWindow: c.Duplicates > 0 && c.Duplicates != defaultWindow ? .nanoseconds(c.Duplicates) : nil,
            discardNew: c.Discard == js_DiscardNew, allowDirect: c.AllowDirect, allowRollup: c.AllowRollup, denyDelete: c.DenyDelete,
            replicas: Int(max(c.Replicas, 1)))
    }

    /// Calls `body` with this configuration as libnats' struct (its strings live during the call).
    func withC<T>(_ body: (inout jsStreamConfig) throws(NATSError) -> T) throws(NATSError) -> T {
        var c = jsStreamConfig()
        jsStreamConfig_Init(&c)
        var strings = subjects.map { UnsafePointer(strdup($0)) }
        let cName = strdup(name)
        defer {
            strings.forEach { free(UnsafeMutableRawPointer(mutating: $0)) }
            free(cName)
        }
        c.Name = UnsafePointer(cName)
        c.Storage = storage == .memory ? js_MemoryStorage : js_FileStorage
        c.MaxMsgs = maxMessages ?? -1
        c.MaxMsgsPerSubject = maxMessagesPerSubject ?? -1
        c.MaxBytes = maxBytes ?? -1
        c.MaxAge = maxAge?.nanoseconds ?? 0
        c.Duplicates = duplicateWindow?.nanoseconds ?? 0
        c.Discard = discardNew ? js_DiscardNew : js_DiscardOld
        c.AllowDirect = allowDirect
        c.AllowRollup = allowRollup
        c.DenyDelete = denyDelete
        c.Replicas = Int64(max(replicas, 1))
        return try strings.withUnsafeMutableBufferPointer {
            (buffer: inout UnsafeMutableBufferPointer<UnsafePointer<CChar>?>) throws(NATSError) -> T in
            c.Subjects = buffer.baseAddress
            c.SubjectsLen = Int32(buffer.count)
            return try body(&c)
        }
    }
}
