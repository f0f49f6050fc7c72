import CCurl

/// The transfer thread's state: the multi handle and every running transfer.
///
/// Everything here runs on that one thread; curl handles are raw pointers owned by it.
final class TransferLoop {
    private let multi: UnsafeMutableRawPointer
    private let mailbox: Mailbox
    private var transfers: [Int: Transfer] = [:]
    /// Cancels that arrived before their start command (the task was already cancelled).
    private var cancelledEarly: Set<Int> = []
    private var isShuttingDown = false

    init(multi: UnsafeMutableRawPointer, mailbox: Mailbox) {
        self.multi = multi
        self.mailbox = mailbox
    }

    func run() {
        while true {
            for command in mailbox.takeAll() { handle(command) }
            if isShuttingDown { break }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished()
            let wait = expireIdleTransfers()
            curl_multi_poll(multi, nil, 0, Int32(wait), nil)
        }
        for transfer in Array(transfers.values) { finish(transfer, with: .failed(.cancelled, head: transfer.head)) }
        // Commands that raced with shutdown still get an answer.
        for command in mailbox.takeAll(closing: true) {
            if case .start(_, _, _, let completion) = command { completion(.failed(.cancelled, head: nil)) }
        }
        // The queue is closed: no other thread wakes the handle any more (see Mailbox.send).
        curl_multi_cleanup(multi)
    }

    private func handle(_ command: Command) {
        switch command {
        case .start(let id, let request, let handler, let completion):
            if isShuttingDown || cancelledEarly.remove(id) != nil {
                completion(.failed(.cancelled, head: nil))
                return
            }
            guard let transfer = Transfer(id: id, request: request, handler: handler, completion: completion) else {
                completion(.failed(.invalidRequest("libcurl could not create a handle"), head: nil))
                return
            }
            if let problem = transfer.configure() {
                transfer.close()
                completion(.failed(.invalidRequest(problem), head: nil))
                return
            }
            transfers[id] = transfer
            curl_multi_add_handle(multi, transfer.easy)
        case .cancel(let id):
            if let transfer = transfers[id] {
                finish(transfer, with: .failed(.cancelled, head: transfer.head))
            } else {
                cancelledEarly.insert(id)
            }
        case .shutdown:
            isShuttingDown = true
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            var pointer: UnsafeMutablePointer<CChar>?
            ccurl_getinfo_string(easy, CURLINFO_PRIVATE, &pointer)
            guard let pointer else { continue }
            let transfer = Unmanaged<Transfer>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
            finish(transfer, with: transfer.end(with: ccurl_message_result(message)))
        }
    }

    /// Ends transfers that have been silent past their idle timeout; returns how long the
    /// thread may sleep (ms) before the next one could expire.
    private func expireIdleTransfers() -> Int {
        let now = ContinuousClock.now
        var wait = Duration.seconds(1)
        for transfer in Array(transfers.values) {
            guard let limit = transfer.request.idleTimeout else { continue }
            let deadline = transfer.lastActivity + limit
            if deadline <= now {
                finish(transfer, with: .failed(.idle(for: limit), head: transfer.head))
            } else {
                wait = min(wait, deadline - now)
            }
        }
        return wait.roundedUpMilliseconds
    }

    private func finish(_ transfer: Transfer, with end: HTTPStreamEnd) {
        guard transfers.removeValue(forKey: transfer.id) != nil else { return }
        curl_multi_remove_handle(multi, transfer.easy)
        transfer.close()
        transfer.completion(end)
    }
}
