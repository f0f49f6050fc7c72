import ArgumentParser
import CurlHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gateway tail URL`: a curl for Server-Sent Events, for debugging an upstream or an endpoint.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the events of an SSE URL as they arrive.",
        discussion: """
            Each event is printed as soon as it is complete, in the text/event-stream format (or, with --json, as one \
            JSON object a line: {"event": TYPE, "id": LAST_EVENT_ID, "data": DATA}). Like a browser's EventSource, \
            it reconnects when the stream ends or the network fails, after the server's retry: time (3s until one \
            is sent), sending Last-Event-ID. A 204 response ends it (exit 0); any status other than 200, or a \
            Content-Type other than text/event-stream, ends it with exit 3.
            """
    )

    @Argument(help: "The http:// or https:// URL of the stream; without a scheme, http:// is assumed (as curl does).")
    var url: String

    /// The URL with `http://` added when it names no scheme, so `gateway tail localhost:8080/quotes` works.
    var resolvedURL: String { url.contains("://") ? url : "http://" + url }

    @Flag(help: "Print one JSON object per event: {\"event\", \"id\", \"data\"}.")
    var json = false

    @Option(name: .customLong("event"), help: ArgumentHelp("Print only events of this type (repeatable).", valueName: "TYPE"))
    var eventTypes: [String] = []

    @Option(name: .customShort("H"), help: ArgumentHelp("Send a request header (repeatable).", valueName: "Name: value"))
    var headers: [String] = []

    func validate() throws {
        let lowered = resolvedURL.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw ValidationError("'\(url)' is not an http:// or https:// URL.")
        }
        for header in headers where TailSession.parseHeader(header) == nil {
            throw ValidationError("-H '\(header)' must look like 'Name: value'.")
        }
    }

    func run() async throws {
        // ^C is how a tail ends: a success, not a crash.
        signal(SIGINT) { _ in _exit(ExitStatus.success.rawValue) }
        let session = TailSession(
            url: resolvedURL,
            headers: headers.compactMap(TailSession.parseHeader),
            format: json ? .json : .eventStream,
            eventTypes: Set(eventTypes),
            client: .shared,
            write: { bytes in StandardOutput.write(bytes) },
            report: { line in StandardError.print("gateway tail: \(line)") }
        )
        switch await session.run() {
        case .stopped:
            return
        case .failed(let reason):
            StandardError.print("gateway tail: \(reason)")
            throw ExitCode(ExitStatus.runtimeFailure.rawValue)
        }
    }
}

/// Writes to fd 1 at once: no buffering, so each event is visible as soon as it is printed.
enum StandardOutput {
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                // The reader went away (`gateway tail … | head`): nothing more to do.
                if written <= 0 { _exit(ExitStatus.success.rawValue) }
                offset += written
            }
        }
    }
}
