import Dispatch
import GatewayPlugin
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `type: stdin` — events from the gateway's standard input.
///
/// `tail -f app.log | gateway run stdin-logs.yaml` turns a log into a live stream. The input
/// is read as ``InputFormat/lines``, ``InputFormat/ndjson`` or ``InputFormat/sse`` by an
/// ``InputDecoder``; at the end of input the source finishes (`on_eof: keep`, the gateway goes
/// on serving) or asks the gateway to stop once clients have the last event (`on_eof: exit`).
public struct StdinSource: Source {
    /// What to do at the end of input.
    public enum EndOfInput: String, Sendable, CaseIterable {
        /// Keep serving what is held.
        case keep
        /// Stop the gateway once every client has the last event.
        case exit
    }

    /// How the input is read.
    public let format: InputFormat
    /// The type of events made from lines (`nil` for `message`).
    public let event: String?
    /// What to do at the end of input.
    public let onEOF: EndOfInput
    /// The descriptor read; standard input unless a test gives a pipe.
    public var fileDescriptor: Int32 = 0

    /// The plugin entry for the registry.
    public static let plugin = SourcePlugin(type: "stdin", summary: "events from standard input (lines, ndjson or sse)", options: options) {
        StdinSource(options: $0)
    }

    /// The options `init?(options:)` reads: what `gateway plugins stdin` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec("format", .choice(InputFormat.allCases.map(\.rawValue)), default: "lines", "how the input is read (below)"),
        OptionSpec("event", .string, default: .none(meaning: "`message`"), "the type of `lines` events, and of `ndjson` lines that name none"),
        OptionSpec(
            "on_eof", .choice(EndOfInput.allCases.map(\.rawValue)), default: "keep",
            "at the end of input: `keep` serving what is held, or `exit` — stop the gateway once every client has the last event"),
    ]

    /// Creates a source.
    /// - Parameters:
    ///   - format: how the input is read.
    ///   - event: the type of events made from lines.
    ///   - onEOF: what to do at the end of input.
    public init(format: InputFormat = .lines, event: String? = nil, onEOF: EndOfInput = .keep) {
        self.format = format
        self.event = event
        self.onEOF = onEOF
    }

    init?(options: OptionsReader) {
        let format = options.choice("format", of: InputFormat.allCases.map(\.rawValue), default: "lines")
        let event = options.string("event")
        let onEOF = options.choice("on_eof", of: EndOfInput.allCases.map(\.rawValue), default: "keep")
        if let event, event.isEmpty || event.contains(where: \.isNewline) {
            options.report("'event' must be a non-empty single-line type, found '\(event)'", at: options.node("event")?.location)
        }
        guard options.isValid, let format = format.flatMap(InputFormat.init), let onEOF = onEOF.flatMap(EndOfInput.init) else { return nil }
        self.init(format: format, event: event, onEOF: onEOF)
    }

    public var summary: String {
        let type = format == .lines ? " as '\(event ?? "message")'" : ""
        return "standard input, \(format.rawValue)\(type); at end of input: \(onEOF.rawValue)"
    }

    public func run(_ context: SourceContext) async throws -> SourceCompletion {
        context.output.markReady()
        let stop = StopFlag()
        let reader = InputReader(fileDescriptor: fileDescriptor, decoder: InputDecoder(format: format, eventType: event, maxEventSize: context.maxEventSize), context: context)
        let reachedEnd = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Reading blocks, so it gets a thread of its own rather than one of the
                // cooperative pool's few.
                DispatchQueue(label: "gateway.stdin.\(context.name)").async {
                    continuation.resume(returning: reader.readUntilEnd(stop: stop))
                }
            }
        } onCancel: {
            stop.set()
        }
        guard reachedEnd else { return .finished }
        context.logger.info("end of standard input", metadata: ["on_eof": "\(onEOF.rawValue)"])
        return onEOF == .exit ? .stopGateway : .finished
    }
}

/// Set once when the source's task is cancelled.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// The blocking read loop. Used by one thread only.
final class InputReader: @unchecked Sendable {
    let fileDescriptor: Int32
    var decoder: InputDecoder
    let context: SourceContext

    init(fileDescriptor: Int32, decoder: InputDecoder, context: SourceContext) {
        self.fileDescriptor = fileDescriptor
        self.decoder = decoder
        self.context = context
    }

    /// Reads and emits until the end of input (`true`) or until stopped (`false`).
    func readUntilEnd(stop: StopFlag) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var batch: [Event] = []
        while !stop.isSet {
            // Wake up every 100 ms to notice a stop: a blocked read() cannot be interrupted.
            var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count < 0 {
                context.logger.error("could not read standard input", metadata: ["errno": "\(errno)"])
                return true
            }
            if count == 0 {
                decoder.finish { handle($0, into: &batch) }
                flush(&batch)
                return true
            }
            buffer.withUnsafeBytes { bytes in
                decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[0..<count])) { handle($0, into: &batch) }
            }
            flush(&batch)
        }
        return false
    }

    private func handle(_ output: InputDecoder.Output, into batch: inout [Event]) {
        switch output {
        case .event(let event):
            batch.append(event)
        case .dropped(let reason, let bytes):
            context.logger.warning(
                "dropped input", metadata: ["reason": "\(reason)", "bytes": "\(bytes)", "max_event_size": "\(context.maxEventSize)"])
            context.output.dropped(reason: reason)
        }
    }

    private func flush(_ batch: inout [Event]) {
        context.output.emit(batch)
        batch.removeAll(keepingCapacity: true)
    }
}
