import CurlHTTP
import GatewayPlugin

/// The logic of `gateway tail`: connect, print, reconnect like a browser's EventSource.
struct TailSession: Sendable {
    /// How events are printed.
    enum Format: Sendable {
        /// The `text/event-stream` format, as received (re-encoded, comments left out).
        case eventStream
        /// `{"event": …, "id": …, "data": …}`, one a line.
        case json
    }

    /// How a session ended.
    enum Outcome: Equatable, Sendable {
        /// The server said 204: no more events.
        case stopped
        /// The server answered something that is not a stream (a reason for the user).
        case failed(String)
    }

    let url: String
    let headers: [(name: String, value: String)]
    let format: Format
    let eventTypes: Set<String>
    let client: CurlClient
    let write: @Sendable ([UInt8]) -> Void
    let report: @Sendable (String) -> Void
    /// The reconnection time until the server sends `retry:` (browsers use a few seconds).
    var defaultRetry: Duration = .seconds(3)

    /// `Name: value` → the pair; `nil` when there is no colon or the name is empty.
    static func parseHeader(_ text: String) -> (name: String, value: String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let name = String(text[..<colon].drop(while: blank).reversed().drop(while: blank).reversed())
        let value = String(text[text.index(after: colon)...].drop(while: blank).reversed().drop(while: blank).reversed())
        guard !name.isEmpty, !name.contains(" ") else { return nil }
        return (name, value)
    }

    func run() async -> Outcome {
        var parser = SSEParser()
        var retry = defaultRetry
        while !Task.isCancelled {
            var fields = headers + [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")]
            if !parser.lastEventID.isEmpty { fields.append(("Last-Event-ID", parser.lastEventID)) }
            let printer = TailPrinter(parser: parser, format: format, eventTypes: eventTypes, write: write)
            let end = await client.stream(HTTPRequest(url: url, headers: fields), handler: printer)
            parser = printer.parser
            parser.reset()
            if let milliseconds = printer.retry { retry = .milliseconds(milliseconds) }
            switch end {
            case .declined(let head) where head.status == 204:
                report("\(url) answered 204 No Content: the stream is over")
                return .stopped
            case .declined(let head) where head.status != 200:
                return .failed("\(url) answered HTTP \(head.status), not a stream")
            case .declined(let head):
                return .failed("\(url) answered with Content-Type '\(head.value(of: "Content-Type") ?? "none")', not text/event-stream")
            case .failed(let error, _) where error.isCancellation:
                return .stopped
            case .failed(let error, _):
                report("\(error); reconnecting in \(Units.describe(retry))")
            case .finished:
                report("the stream ended; reconnecting in \(Units.describe(retry))")
            }
            do {
                try await Task.sleep(for: retry)
            } catch {
                return .stopped
            }
        }
        return .stopped
    }
}

/// Parses one connection's body and prints each event as it completes, on the transfer thread.
/// Used by one thread at a time (see ``HTTPStreamHandler``).
final class TailPrinter: HTTPStreamHandler, @unchecked Sendable {
    private(set) var parser: SSEParser
    private(set) var retry: Int?
    let format: TailSession.Format
    let eventTypes: Set<String>
    let write: @Sendable ([UInt8]) -> Void
    private var buffer: [UInt8] = []

    init(parser: SSEParser, format: TailSession.Format, eventTypes: Set<String>, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.parser = parser
        self.format = format
        self.eventTypes = eventTypes
        self.write = write
    }

    func receive(head: HTTPResponseHead) -> HTTPHeadDecision {
        head.status == 200 && head.mediaType == "text/event-stream" ? .accept : .decline
    }

    func receive(body: UnsafeRawBufferPointer) -> Bool {
        parser.parse(body) { output in
            switch output {
            case .event(let event):
                guard eventTypes.isEmpty || eventTypes.contains(event.type) else { return }
                Self.print(event, as: format, into: &buffer)
                // One write per event: flushed as it arrives, never interleaved.
                write(buffer)
                buffer.removeAll(keepingCapacity: true)
            case .retry(let milliseconds):
                retry = milliseconds
            case .eventTooLarge:
                break
            }
        }
        return true
    }

    static func print(_ event: Event, as format: TailSession.Format, into buffer: inout [UInt8]) {
        switch format {
        case .eventStream:
            SSEEncoder.encode(event, into: &buffer)
        case .json:
            buffer += Array("{\"event\":".utf8)
            JSONValue.serialize(string: event.type, into: &buffer)
            buffer += Array(",\"id\":".utf8)
            JSONValue.serialize(string: event.id ?? "", into: &buffer)
            buffer += Array(",\"data\":".utf8)
            JSONValue.serialize(string: event.data, into: &buffer)
            buffer += Array("}\n".utf8)
        }
    }
}
