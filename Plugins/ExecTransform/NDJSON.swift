import GatewayPlugin

/// The line format between the gateway and an `exec` program: one JSON object per line,
/// `{"event":…,"id":…,"data":…}`.
enum NDJSON {
    /// Appends `event` as one line: `event` and `id` are `null` when the event has none, and
    /// `data` is always a JSON string (the event's text, which the program may parse itself).
    static func append(_ event: Event, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"event":"#.utf8)
        appendOptional(event.event, to: &output)
        output.append(contentsOf: #","id":"#.utf8)
        appendOptional(event.id, to: &output)
        output.append(contentsOf: #","data":"#.utf8)
        JSONValue.serialize(string: event.data, into: &output)
        output.append(contentsOf: "}\n".utf8)
    }

    private static func appendOptional(_ text: String?, to output: inout [UInt8]) {
        if let text {
            JSONValue.serialize(string: text, into: &output)
        } else {
            output.append(contentsOf: "null".utf8)
        }
    }

    /// Why a line from the program is not an event.
    enum Rejection: Error, Equatable, CustomStringConvertible {
        case notJSON(String)
        case notAnObject
        case missingData
        case badField(String)

        var description: String {
            switch self {
            case .notJSON(let reason): "not JSON (\(reason))"
            case .notAnObject: "not a JSON object"
            case .missingData: "no 'data' member"
            case .badField(let key): "'\(key)' must be a string or null"
            }
        }
    }

    /// The event a line of the program's output stands for.
    ///
    /// The line must be a JSON object with `data`; a `data` that is not a string becomes its
    /// compact JSON text. `event` and `id` are optional strings (`null` or absent: none; an
    /// empty `event` is the default type). Other members are ignored.
    static func event(fromLine line: UnsafeRawBufferPointer) -> Result<Event, Rejection> {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            return .failure(.notJSON(error.description))
        }
        guard case .object = value else { return .failure(.notAnObject) }
        guard let dataValue = value["data"] else { return .failure(.missingData) }
        let data = dataValue.string ?? dataValue.serialized
        var fields: [String?] = []
        for key in ["event", "id"] {
            switch value[key] {
            case nil, .null?: fields.append(nil)
            case .string(let text)?: fields.append(text)
            default: return .failure(.badField(key))
            }
        }
        let type = fields[0].flatMap { $0.isEmpty ? nil : $0 }
        return .success(Event(id: fields[1], event: type, data: data))
    }
}

/// Splits a byte stream into lines ended by LF (a CR before the LF is dropped), whatever the
/// chunking. A line longer than `maxLine` bytes is reported once as too long and skipped up
/// to its end, so memory stays bounded by `maxLine`.
struct LineSplitter {
    /// What one piece of the stream turned out to be.
    enum Piece {
        case line(UnsafeRawBufferPointer)
        case tooLong
    }

    let maxLine: Int
    private var partial: [UInt8] = []
    private var skipping = false

    init(maxLine: Int) {
        self.maxLine = maxLine
    }

    /// Feeds `bytes`, calling `handle` for every complete line (and every over-long one).
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ handle: (Piece) -> Void) {
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                append(UnsafeRawBufferPointer(rebasing: bytes[start...]), handle)
                return
            }
            let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<newline])
            if skipping {
                skipping = false
            } else if partial.isEmpty {
                if piece.count > maxLine { handle(.tooLong) } else { emit(piece, handle) }
            } else {
                append(piece, handle)
                if !skipping {
                    partial.withUnsafeBytes { emit($0, handle) }
                }
                skipping = false
                partial.removeAll(keepingCapacity: partial.capacity <= 65536)
            }
            start = newline + 1
        }
    }

    /// Ends the stream: a last line without a newline still counts.
    mutating func finish(_ handle: (Piece) -> Void) {
        if !skipping && !partial.isEmpty {
            partial.withUnsafeBytes { emit($0, handle) }
        }
        partial = []
        skipping = false
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer, _ handle: (Piece) -> Void) {
        guard !skipping else { return }
        if partial.count + bytes.count > maxLine {
            partial = []
            skipping = true
            handle(.tooLong)
            return
        }
        partial.append(contentsOf: bytes)
    }

    private func emit(_ line: UnsafeRawBufferPointer, _ handle: (Piece) -> Void) {
        if line.last == UInt8(ascii: "\r") {
            handle(.line(UnsafeRawBufferPointer(rebasing: line.dropLast())))
        } else {
            handle(.line(line))
        }
    }
}
