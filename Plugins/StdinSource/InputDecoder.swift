import GatewayPlugin

/// Turns input bytes into events, in any chunking: the `stdin` source's logic, without I/O.
///
/// Lines end at LF; a CR before the LF is dropped (so CRLF files work). Empty lines carry no
/// event: SSE clients do not dispatch an event with empty data. A line longer than
/// `maxEventSize` is skipped to its end and reported once as `too_large` — as soon as it is
/// known to be too long, since its end may never come (its `bytes` are then what was read so
/// far); the decoder never holds more than `maxEventSize` bytes of a line. At the end of input an unterminated last
/// line still counts (as `wc -l` would not, but as users expect from `tail`); in `sse` format
/// an unfinished event is dropped, as the HTML standard says.
public struct InputDecoder: Sendable {
    /// What became of part of the input.
    public enum Output: Equatable, Sendable {
        /// An event to emit.
        case event(Event)
        /// Something was dropped: `too_large` (with its size in bytes) or `invalid_json`.
        case dropped(reason: String, bytes: Int)
    }

    let format: InputFormat
    let eventType: String?
    let maxEventSize: Int
    private var line: [UInt8] = []
    private var lineBytes = 0
    private var parser: SSEParser
    /// The line or event being skipped was reported when the skip began.
    private var skipReported = false

    /// Creates a decoder.
    /// - Parameters:
    ///   - format: the input format.
    ///   - eventType: the type of events made from plain lines (`nil` for `message`).
    ///   - maxEventSize: the longest line (or SSE event) kept, in bytes.
    public init(format: InputFormat, eventType: String?, maxEventSize: Int) {
        self.format = format
        self.eventType = eventType
        self.maxEventSize = maxEventSize
        self.parser = SSEParser(maxEventSize: maxEventSize)
    }

    /// Reads the next chunk of input.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, _ output: (Output) -> Void) {
        if format == .sse {
            parser.parse(bytes) { result in
                switch result {
                case .event(let event): output(.event(event))
                case .retry: break
                case .eventTooLarge(let size):
                    // Counted when the skip began, unless it began and ended in this chunk.
                    if skipReported { skipReported = false } else { output(.dropped(reason: "too_large", bytes: size)) }
                }
            }
            // An event still being skipped is reported now: its end may never come.
            if parser.isSkippingEvent && !skipReported {
                skipReported = true
                output(.dropped(reason: "too_large", bytes: parser.maxEventSize + 1))
            }
            return
        }
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                append(UnsafeRawBufferPointer(rebasing: bytes[start...]), output)
                return
            }
            append(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]), output)
            endLine(output)
            start = newline + 1
        }
    }

    /// Ends the input: a last line without a newline still counts.
    public mutating func finish(_ output: (Output) -> Void) {
        if format != .sse, lineBytes > 0 { endLine(output) }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer, _ output: (Output) -> Void) {
        lineBytes += bytes.count
        // Past the limit the line is only counted, never stored: memory stays bounded.
        if lineBytes <= maxEventSize + 1 {
            line.append(contentsOf: bytes)
        } else if !skipReported {
            // Too long even without a CR before its newline: reported now, as the newline may never come.
            skipReported = true
            output(.dropped(reason: "too_large", bytes: lineBytes))
        }
    }

    private mutating func endLine(_ output: (Output) -> Void) {
        defer {
            line.removeAll(keepingCapacity: true)
            lineBytes = 0
        }
        var length = lineBytes
        if length > 0, length <= line.count, line[length - 1] == UInt8(ascii: "\r") { length -= 1 }
        guard length <= maxEventSize else {
            if skipReported { skipReported = false } else { output(.dropped(reason: "too_large", bytes: length)) }
            return
        }
        guard length > 0 else { return }
        let text = String(decoding: line[0..<length], as: UTF8.self)
        switch format {
        case .lines, .sse:
            output(.event(Event(event: eventType, data: text)))
        case .ndjson:
            output(ndjsonEvent(text, bytes: length))
        }
    }

    /// `{"event": …, "id": …, "data": …}` becomes that event (a non-string `data` is sent as
    /// compact JSON); any other JSON value is the data of an event of the configured type.
    private func ndjsonEvent(_ text: String, bytes: Int) -> Output {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            return .dropped(reason: "invalid_json", bytes: bytes)
        }
        guard case .object = value, let data = value["data"] else {
            return .event(Event(event: eventType, data: text))
        }
        let id = value["id"].flatMap { $0 == .null ? nil : $0.text }
        let type = value["event"].flatMap { $0 == .null ? nil : $0.text } ?? eventType
        return .event(Event(id: id, event: type, data: data.string ?? data.serialized))
    }
}
