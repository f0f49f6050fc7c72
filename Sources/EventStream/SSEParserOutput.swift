/// What ``SSEParser`` reports while it reads a stream: events, reconnection times and skipped events.
///
/// The cases come out in stream order; a `retry` field is reported when its line is read, before the
/// event it appears in is dispatched, as a browser would apply it.
public enum SSEParserOutput: Sendable, Equatable {
    /// A dispatched event.
    ///
    /// Its `id` is the last event ID at dispatch, as a browser's `MessageEvent.lastEventId`: the value of
    /// the latest `id` field seen on the stream (possibly in an earlier event), or `nil` when that is empty.
    /// Its `retry` is always `nil`: a `retry` field is reported on its own as ``retry(milliseconds:)``.
    case event(Event)

    /// A valid `retry` field (only ASCII digits): the reconnection time the server asks for, in milliseconds.
    ///
    /// Values too large for `Int` are clamped to `Int.max`.
    case retry(milliseconds: Int)

    /// An event over the parser's `maxEventSize` was skipped up to its end (the blank line that ends it).
    ///
    /// `bytes` counts the event's lines, from the line after the previous event's blank line up to (not
    /// including) its own blank line, without line terminators. It is reported once per skipped event.
    case eventTooLarge(bytes: Int)
}
