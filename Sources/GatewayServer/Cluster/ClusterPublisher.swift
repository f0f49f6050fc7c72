import DequeModule
import Dispatch
import Logging
import NIOConcurrencyHelpers

/// Publishes a lease holder's events to its endpoint's stream: in order, each once, and only
/// while this instance is the holder.
///
/// Events wait in an outbox until the engine has stored them. Up to ``window`` are in flight at
/// once, each with its own message id: the first expects the stream's last sequence to be the
/// last this holder stored, each next one expects the stream's last message to be the one
/// before it. So when one fails (a timeout, the engine gone), the ones after it fail too rather
/// than land out of order, and nothing of another writer's can be interleaved; once every
/// answer is in, sending starts again from the first unconfirmed event — a message that was in
/// fact stored is answered as a duplicate with its sequence, by its id. When the *first* event
/// is refused for the sequence, someone else has written to the stream: another instance
/// holds the lease now, and this one stops (``onFenced``). While the engine is unreachable the
/// outbox grows, within ``OutboxBudget``.
///
/// All state lives on one serial queue: calls from the endpoint's executor and answers from
/// the engine's threads are queued there, so sends leave in outbox order.
final class ClusterPublisher: @unchecked Sendable {
    /// Events in flight at most.
    static let window = 512
    /// The longest pause between attempts while the engine is unreachable.
    static let maximumRetryDelay: Duration = .seconds(2)

    private let queue: DispatchQueue
    private let budget: OutboxBudget
    private let instance: String
    private let metrics: ClusterMetrics.Endpoint
    private let logger: Logger
    private let onFenced: @Sendable () -> Void
    /// Answers not yet taken by the queue (see ``collect(_:)``).
    private let answers = NIOLockedValueBox(PendingAnswers())

    private struct PendingAnswers {
        var pending: [Answer] = []
        var scheduled = false
    }

    // Confined to `queue`.
    private struct Pending {
        var message: ClusterMessage
        var bytes: Int
    }
    private var outbox: Deque<Pending> = []
    /// `outbox[..<sent]` are in flight.
    private var sent = 0
    /// Answers still due for the messages in flight.
    private var awaiting = 0
    /// The stream's last sequence, as far as this holder has stored.
    private var confirmed: UInt64 = 0
    /// The first failure since the last (re)send, and the message it was about.
    private var failure: (error: ClusterError, messageID: String)?
    /// Why the first event of the outbox was refused, since the last (re)send.
    private var headFailure: ClusterError?
    /// Answers for events in flight behind one not yet answered.
    private var acks: [String: PublishAck] = [:]
    private var stream: (any ClusterStream)?
    /// Names one holding: answers to an earlier one are ignored.
    private var term = 0
    private var counter: UInt64 = 0
    private var retryDelay: Duration = .zero
    private var retryScheduled = false
    /// The source id of the newest event taken in (what a paused `sse` source resumes from).
    private var newestSourceID: String?

    init(
        endpoint: String, budget: OutboxBudget, instance: String, metrics: ClusterMetrics.Endpoint, logger: Logger,
        onFenced: @escaping @Sendable () -> Void
    ) {
        self.queue = DispatchQueue(label: "gateway.cluster.publish \(endpoint)")
        self.budget = budget
        self.instance = instance
        self.metrics = metrics
        self.logger = logger
        self.onFenced = onFenced
    }

    /// Starts publishing to `stream`, whose last sequence is `last`: this instance holds the lease.
    func start(stream: any ClusterStream, last: UInt64) {
        queue.async { [self] in
            dropOutbox()
            term += 1
            self.stream = stream
            confirmed = last
            newestSourceID = nil
        }
    }

    /// Stops publishing and drops what the engine has not stored (the next holder reads the
    /// upstream again from the last event stored). Returns how many events were dropped.
    @discardableResult
    func stop() async -> Int {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                term += 1
                stream = nil
                continuation.resume(returning: dropOutbox())
            }
        }
    }

    /// Takes events from the pipeline (on the endpoint's executor). Returns at once. Dropped when
    /// this instance does not hold the lease (events of a source that is being stopped).
    func submit(_ events: [ClusterEvent]) {
        queue.async { [self] in
            guard stream != nil else { return }
            var bytes = 0
            for item in events {
                counter += 1
                let message = ClusterMessage(
                    messageID: "\(instance)-\(term)-\(counter)", channel: item.channel, type: item.event.event,
                    sourceID: item.event.id, data: item.event.data)
                let cost = message.data.utf8.count + (message.type?.utf8.count ?? 0) + (message.sourceID?.utf8.count ?? 0) + 64
                outbox.append(Pending(message: message, bytes: cost))
                bytes += cost
                if let id = item.event.id { newestSourceID = id }
            }
            budget.add(bytes)
            sendMore()
        }
    }

    /// The id of the newest event taken in, from its source.
    func newestSourceIDTaken() async -> String? {
        await withCheckedContinuation { continuation in
            queue.async { [self] in continuation.resume(returning: newestSourceID) }
        }
    }

    /// Waits until the outbox is empty, or `timeout` has passed; returns whether it is empty.
    func drained(within timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let empty = await withCheckedContinuation { continuation in
                queue.async { [self] in continuation.resume(returning: outbox.isEmpty) }
            }
            if empty { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    // MARK: On the queue

    private func sendMore() {
        guard let stream, failure == nil, !retryScheduled else { return }
        let term = self.term
        while sent < outbox.count && sent < Self.window {
            let message = outbox[sent].message
            // The first expects the stream's last sequence; each next one, the message before it.
            let expectation: PublishExpectation? =
                sent == 0 ? (confirmed == 0 ? nil : .lastSequence(confirmed)) : .lastMessageID(outbox[sent - 1].message.messageID)
            sent += 1
            awaiting += 1
            stream.publish(message, expectation: expectation) { [self] result in
                collect(Answer(result: result, messageID: message.messageID, term: term))
            }
        }
    }

    /// One answer from the engine, on its way to the queue.
    private struct Answer {
        var result: Result<PublishAck, ClusterError>
        var messageID: String
        var term: Int
    }

    /// Answers come one by one on the engine's thread: they are gathered, and the queue takes
    /// every answer that arrived meanwhile in one hop (a hop per answer costs a thread wake-up
    /// each, which at thousands of events a second is most of the publishing's cost).
    private func collect(_ answer: Answer) {
        let schedule = answers.withLockedValue { answers in
            answers.pending.append(answer)
            if answers.scheduled { return false }
            answers.scheduled = true
            return true
        }
        guard schedule else { return }
        queue.async { [self] in
            let batch = answers.withLockedValue { answers in
                answers.scheduled = false
                defer { answers.pending.removeAll(keepingCapacity: true) }
                return answers.pending
            }
            for answer in batch { answered(answer.result, messageID: answer.messageID, term: answer.term) }
        }
    }

    private func answered(_ result: Result<PublishAck, ClusterError>, messageID: String, term: Int) {
        guard term == self.term else { return }
        awaiting -= 1
        switch result {
        case .success(let ack):
            // After a failure, answers are ignored: every event not yet confirmed is sent again,
            // and the engine answers the stored ones as duplicates.
            if failure == nil {
                acks[messageID] = ack
                confirmHeads()
            }
        case .failure(let error):
            if failure == nil { failure = (error, messageID) }
            if outbox.first?.message.messageID == messageID { headFailure = error }
        }
        if awaiting == 0 { settle() }
        if failure == nil { sendMore() }
    }

    /// Takes the events stored from the front of the outbox (answers may come in any order).
    private func confirmHeads() {
        var freed = 0
        while let head = outbox.first, let ack = acks.removeValue(forKey: head.message.messageID) {
            outbox.removeFirst()
            sent -= 1
            confirmed = ack.sequence
            freed += head.bytes
            if !ack.duplicate { metrics.published.increment() }
        }
        if freed > 0 {
            budget.add(-freed)
            retryDelay = .zero
        }
    }

    /// Every answer is in after a failure: resend from the first unstored event, or stop.
    private func settle() {
        guard let (error, _) = failure else { return }
        let head = headFailure
        failure = nil
        headFailure = nil
        acks.removeAll()
        sent = 0
        if case .wrongLastSequence = head {
            logger.warning(
                "another instance wrote to the stream: this one no longer runs the endpoint's sources",
                metadata: ["error": "\(head!)"])
            stream = nil
            term += 1
            dropOutbox()
            onFenced()
            return
        }
        retryDelay = min(Self.maximumRetryDelay, max(.milliseconds(100), retryDelay * 2))
        logger.warning(
            "publishing to the cluster failed; retrying", metadata: ["error": "\(head ?? error)", "outbox": "\(outbox.count)"])
        retryScheduled = true
        let term = self.term
        let delay = Int(retryDelay / .milliseconds(1))
        queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [self] in
            guard term == self.term else { return }
            retryScheduled = false
            sendMore()
        }
    }

    @discardableResult
    private func dropOutbox() -> Int {
        let count = outbox.count
        budget.add(-outbox.reduce(0) { $0 + $1.bytes })
        outbox.removeAll()
        sent = 0
        awaiting = 0
        failure = nil
        headFailure = nil
        acks.removeAll()
        retryScheduled = false
        return count
    }
}
