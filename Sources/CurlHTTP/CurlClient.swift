import CCurl
import NIOConcurrencyHelpers
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP client over libcurl: one multi handle on its own thread drives every transfer.
///
/// Requests are handed to the transfer thread through a queue and `curl_multi_wakeup`, so
/// starting or cancelling a transfer from any task costs a lock and a wake-up. Bodies stream
/// to an ``HTTPStreamHandler`` on that thread as they arrive; a response's status and header
/// fields reach the handler before any body byte, and it may decline the body. Read timeouts
/// are the client's own idle timer (``HTTPRequest/idleTimeout``), precise to a few
/// milliseconds, unlike libcurl's low-speed limit, which averages over seconds.
///
/// TLS and HTTP/2 are whatever the system libcurl provides; `http_proxy`, `HTTPS_PROXY`,
/// `ALL_PROXY` and `NO_PROXY` are honoured as libcurl does (and `HTTP_PROXY` too).
///
/// ```swift
/// let response = try await CurlClient.shared.fetch(HTTPRequest(url: "http://127.0.0.1:9000/api"))
/// print(response.head.status, response.body.count)
/// ```
public final class CurlClient: Sendable {
    /// The process-wide client every source shares; its thread lives as long as the process.
    public static let shared = CurlClient()

    private let mailbox: Mailbox
    private let nextID = Atomic<Int>(0)
    private let thread: NIOLockedValueBox<pthread_t?>

    /// Starts a client and its transfer thread.
    public init() {
        Self.globalSetUp
        let multi = curl_multi_init()!
        let mailbox = Mailbox(multi: multi)
        self.mailbox = mailbox
        let loop = TransferLoop(multi: multi, mailbox: mailbox)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(loop).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<TransferLoop>.fromOpaque(context!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        precondition(result == 0, "could not start the HTTP transfer thread (error \(result))")
        self.thread = NIOLockedValueBox(thread)
    }

    /// libcurl's global initialisation must happen once, before any other thread uses it.
    /// SIGPIPE is ignored because a peer closing a socket mid-write must be an error value,
    /// not the end of the process (libcurl avoids it where it can; OpenSSL may not).
    private static let globalSetUp: Void = {
        curl_global_init(ccurl_global_all())
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Cancels every transfer (each ends with a cancellation error) and stops the thread.
    /// Requests made afterwards fail at once with a cancellation error.
    public func shutdown() {
        mailbox.send(.shutdown)
        if let thread = self.thread.withLockedValue({ thread in defer { thread = nil }; return thread }) {
            pthread_join(thread, nil)
        }
    }

    /// Streams one response into `handler` and returns how the transfer ended.
    ///
    /// Cancelling the calling task cancels the transfer; the call then returns
    /// `.failed(.cancelled, …)`.
    public func stream(_ request: HTTPRequest, handler: some HTTPStreamHandler) async -> HTTPStreamEnd {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                mailbox.send(.start(id: id, request: request, handler: handler, completion: { continuation.resume(returning: $0) }))
            }
        } onCancel: {
            mailbox.send(.cancel(id: id))
        }
    }

    /// Sends a request and collects the whole response, up to `maxBodySize` bytes.
    ///
    /// Any status is a response; only transport failures (and a body over the limit) throw.
    public func fetch(_ request: HTTPRequest, maxBodySize: Int = 64 << 20) async throws(HTTPError) -> HTTPResponse {
        let collector = BodyCollector(limit: maxBodySize)
        switch await stream(request, handler: collector) {
        case .finished(let head):
            return HTTPResponse(head: head, body: collector.body)
        case .declined(let head):
            return HTTPResponse(head: head, body: [])
        case .failed(let error, _) where error == .abortedByHandler:
            throw .bodyTooLarge(limit: maxBodySize)
        case .failed(let error, _):
            throw error
        }
    }
}

/// A complete response from ``CurlClient/fetch(_:maxBodySize:)``.
public struct HTTPResponse: Sendable {
    /// Status and header fields.
    public var head: HTTPResponseHead
    /// The body, decoded from any content encoding.
    public var body: [UInt8]

    /// Creates a response.
    public init(head: HTTPResponseHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }
}

/// Accumulates a body up to a limit: filled on the transfer thread, read by the task that awaited
/// the transfer. The transfer's end orders the two, but through the concurrency runtime, which
/// ThreadSanitizer does not see: a lock (uncontended, once per chunk) makes the order visible.
final class BodyCollector: HTTPStreamHandler, Sendable {
    let limit: Int
    private let collected = NIOLockedValueBox<[UInt8]>([])

    init(limit: Int) { self.limit = limit }

    /// What has been received.
    var body: [UInt8] { collected.withLockedValue { $0 } }

    func receive(head: HTTPResponseHead) -> HTTPHeadDecision { .accept }

    func receive(body chunk: UnsafeRawBufferPointer) -> Bool {
        collected.withLockedValue { body in
            guard body.count + chunk.count <= limit else { return false }
            body.append(contentsOf: chunk)
            return true
        }
    }
}

extension HTTPError {
    /// The response body was larger than the caller allowed.
    static func bodyTooLarge(limit: Int) -> HTTPError {
        .network(curlCode: Int(CURLE_FILESIZE_EXCEEDED.rawValue), detail: "the response body is larger than \(limit) bytes")
    }
}

/// Commands from other threads to the transfer thread.
enum Command {
    case start(id: Int, request: HTTPRequest, handler: any HTTPStreamHandler, completion: @Sendable (HTTPStreamEnd) -> Void)
    case cancel(id: Int)
    case shutdown
}

/// The queue of commands and the means to wake the transfer thread.
final class Mailbox: Sendable {
    // The multi handle is only used here for curl_multi_wakeup, which libcurl documents as
    // safe to call from any thread.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let queue = NIOLockedValueBox<(commands: [Command], isClosed: Bool)>(([], false))

    init(multi: UnsafeMutableRawPointer) { self.multi = multi }

    /// Queues `command` and wakes the thread. Once the thread has stopped, a start is answered
    /// at once with a cancellation.
    func send(_ command: Command) {
        // The wake-up happens under the lock: once the queue is closed no thread touches the
        // multi handle again, so the transfer thread may clean it up.
        let accepted = queue.withLockedValue { queue in
            if queue.isClosed { return false }
            queue.commands.append(command)
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted, case .start(_, _, _, let completion) = command {
            completion(.failed(.cancelled, head: nil))
        }
    }

    /// Every queued command, oldest first; with `closing`, later sends are refused.
    func takeAll(closing: Bool = false) -> [Command] {
        queue.withLockedValue { queue in
            defer { queue.commands.removeAll(keepingCapacity: true) }
            if closing { queue.isClosed = true }
            return queue.commands
        }
    }
}
