import NIOConcurrencyHelpers

/// Whether a clustered endpoint's source runs on this instance: open while the instance holds
/// the endpoint's lease (and its outbox has room), closed otherwise.
///
/// The endpoint opens and closes it; the source's service waits on ``changes`` and starts or
/// cancels the plugin. Only the latest state matters, so a state nobody has read yet is
/// replaced by a newer one.
final class SourceGate: Sendable {
    enum State: Sendable, Equatable {
        /// Run the source, resuming its upstream after this id when it can.
        case open(resumeFrom: String?)
        case closed
    }

    /// The states, newest last; one reader (the source's service).
    let changes: AsyncStream<State>
    private let continuation: AsyncStream<State>.Continuation
    private let current = NIOLockedValueBox(State.closed)

    init() {
        (changes, continuation) = AsyncStream.makeStream(of: State.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs the source (when it is not running), resuming after `resumeFrom`.
    func open(resumeFrom: String?) {
        set(.open(resumeFrom: resumeFrom))
    }

    /// Stops the source (when it runs).
    func close() { set(.closed) }

    var isOpen: Bool { current.withLockedValue { $0 != .closed } }

    private func set(_ state: State) {
        let changed = current.withLockedValue { current -> Bool in
            let wasOpen = current != .closed
            let opens = state != .closed
            current = state
            return wasOpen != opens
        }
        if changed { continuation.yield(state) }
    }

    /// No more changes: the source's service stops waiting.
    func finish() { continuation.finish() }
}
