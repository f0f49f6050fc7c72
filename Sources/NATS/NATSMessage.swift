import CNATS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A message header: NATS headers are ordered, and a name may repeat.
public struct NATSHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension [NATSHeader] {
    /// The first value of the header called `name` (case-sensitive, as NATS compares them).
    public func value(of name: String) -> String? {
        first { $0.name == name }?.value
    }
}

/// A message received on a core NATS subscription, copied out of the library.
public struct NATSMessage: Sendable, Equatable {
    public var subject: String
    public var reply: String?
    public var headers: [NATSHeader]
    public var payload: [UInt8]

    public init(subject: String, reply: String? = nil, headers: [NATSHeader] = [], payload: [UInt8]) {
        self.subject = subject
        self.reply = reply
        self.headers = headers
        self.payload = payload
    }
}

/// A message read from a JetStream stream, copied out of the library.
public struct JetStreamMessage: Sendable, Equatable {
    public var subject: String
    public var headers: [NATSHeader]
    public var payload: [UInt8]
    /// Its sequence in the stream.
    public var sequence: UInt64
    /// When the stream stored it (nanoseconds since 1970).
    public var timestamp: Int64
    /// How many messages (of the consumer's subject) the stream held after it when it was sent.
    public var pending: UInt64

    public init(subject: String, headers: [NATSHeader] = [], payload: [UInt8], sequence: UInt64, timestamp: Int64 = 0, pending: UInt64 = 0) {
        self.subject = subject
        self.headers = headers
        self.payload = payload
        self.sequence = sequence
        self.timestamp = timestamp
        self.pending = pending
    }
}

// MARK: Copying out of libnats

enum MessageCopy {
    /// The subject, headers and payload of `msg`; the caller still owns (and destroys) it.
    static func core(_ msg: OpaquePointer) -> NATSMessage {
        NATSMessage(
            subject: natsMsg_GetSubject(msg).map { String(cString: $0) } ?? "",
            reply: natsMsg_GetReply(msg).map { String(cString: $0) },
            headers: headers(msg),
            payload: payload(msg))
    }

    /// A message a JetStream consumer delivered (its sequence from the ack subject's metadata).
    static func delivered(_ msg: OpaquePointer) -> JetStreamMessage? {
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        guard natsMsg_GetMetaData(&meta, msg) == NATS_OK, let meta else { return nil }
        defer { jsMsgMetaData_Destroy(meta) }
        return JetStreamMessage(
            subject: natsMsg_GetSubject(msg).map { String(cString: $0) } ?? "",
            headers: headers(msg), payload: payload(msg),
            sequence: meta.pointee.Sequence.Stream, timestamp: meta.pointee.Timestamp, pending: meta.pointee.NumPending)
    }

    /// A message a direct or stream "get" returned (its sequence from the answer).
    static func fetched(_ msg: OpaquePointer) -> JetStreamMessage {
        JetStreamMessage(
            subject: natsMsg_GetSubject(msg).map { String(cString: $0) } ?? "",
            headers: headers(msg), payload: payload(msg),
            sequence: natsMsg_GetSequence(msg), timestamp: natsMsg_GetTime(msg))
    }

    static func payload(_ msg: OpaquePointer) -> [UInt8] {
        let count = Int(natsMsg_GetDataLength(msg))
        guard count > 0, let data = natsMsg_GetData(msg) else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    static func headers(_ msg: OpaquePointer) -> [NATSHeader] {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        // NATS_NOT_FOUND when the message has no headers.
        guard natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK, let keys else { return [] }
        defer { free(keys) }
        var headers: [NATSHeader] = []
        headers.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            guard let key = keys[index] else { continue }
            let name = String(cString: key)
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var valueCount: Int32 = 0
            guard natsMsgHeader_Values(msg, key, &values, &valueCount) == NATS_OK, let values else { continue }
            for valueIndex in 0..<Int(valueCount) {
                if let value = values[valueIndex] { headers.append(NATSHeader(name, String(cString: value))) }
            }
            free(values)
        }
        return headers
    }

    /// A new message to publish; the caller owns it (a publish call may take it over).
    static func outgoing(subject: String, headers: [NATSHeader], payload: [UInt8]) throws(NATSError) -> OpaquePointer {
        var msg: OpaquePointer?
        let status = payload.withUnsafeBytes { bytes in
            natsMsg_Create(&msg, subject, nil, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        try NATSError.check(status)
        guard let msg else { throw NATSError.invalid("no message") }
        for header in headers {
            let status = natsMsgHeader_Add(msg, header.name, header.value)
            if status != NATS_OK {
                let error = NATSError(status)
                natsMsg_Destroy(msg)
                throw error
            }
        }
        return msg
    }
}
