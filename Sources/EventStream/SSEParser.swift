/// An incremental parser for `text/event-stream` bodies: bytes in, events out.
///
/// It follows the HTML standard's "event stream interpretation" (§9.2.6) and accepts the body in chunks
/// of any size, split anywhere, giving the same outputs as for the whole body at once:
///
/// ```swift
/// var parser = SSEParser(maxEventSize: 1 << 20)
/// for chunk in body {
///     parser.parse(chunk) { output in
///         switch output {
///         case .event(let event): print(event.type, event.data)
///         case .retry(let milliseconds): reconnectDelay = milliseconds
///         case .eventTooLarge(let bytes): log("skipped an event of \(bytes) bytes")
///         }
///     }
/// }
/// parser.reset()  // before reading the body of a new connection
/// ```
///
/// ## Decoding
///
/// The stream is UTF-8: invalid bytes become U+FFFD (the standard's "UTF-8 decode" with replacement), and
/// one byte order mark (EF BB BF) is skipped when it opens the stream, even split over chunks. A later
/// BOM is content: at the start of a line it makes the field name unknown. The parser works on bytes and
/// decodes only the values it keeps (`data`, `event`, `id`); this gives the same text as decoding first,
/// because every byte it splits on (CR, LF, colon, space) is ASCII and never part of a multi-byte sequence.
///
/// ## Line ends
///
/// A line ends at CR LF, at LF, or at a CR not followed by LF — the standard's
/// `end-of-line = ( cr lf / cr / lf )`, so that streams from any platform work. A CR ends its line as soon
/// as it is read, so an event ended by CR CR is dispatched without waiting for the next chunk; when that CR
/// is the last byte of a chunk, the parser remembers it so that an LF opening the next chunk is taken as
/// the second half of a CR LF, not as an empty line (which would dispatch the event early or twice).
/// Nothing else ends a line: not NUL, not U+2028, not a lone CR inside a multi-byte character (impossible
/// in UTF-8).
///
/// ## Fields
///
/// A line starting with a colon is a comment. Otherwise the field name runs to the first colon (or the
/// whole line when there is none, with an empty value), and one space after the colon is dropped. `data`
/// lines are joined with LF; `event` sets the type of the event being read; `id` sets the last event ID
/// unless its value contains NUL; `retry` is reported when its value is only ASCII digits; other fields are
/// ignored. An empty line dispatches the event, unless no `data` line was read (the type is reset anyway).
///
/// ## Size limit
///
/// `maxEventSize` bounds what the parser must hold: an event's data (its `data` values joined with LF) and
/// each `id`, `event` or `retry` value. An event over it is skipped up to its end (its empty line) and
/// reported once, when that end arrives, as ``SSEParserOutput/eventTooLarge(bytes:)``; parsing resumes with
/// the next event. Lines the parser never keeps — comments and unknown fields — are passed over as they
/// stream by whatever their length, so they never count against the limit. Each internal buffer stays
/// within `maxEventSize` (+1) bytes whatever the input, including a line that never ends.
public struct SSEParser: Sendable {
    /// The largest event data, and the longest `id`, `event` or `retry` value, the parser keeps, in bytes.
    public let maxEventSize: Int

    /// The last event ID, as a browser sends it in `Last-Event-ID` when it reconnects.
    ///
    /// It is the latest `id` value read, taken when an event ends (at its empty line, even when the event
    /// had no data and dispatched nothing); an `id` line of an event that never ended does not count.
    /// It persists across events and across ``reset()``. Empty means none.
    public internal(set) var lastEventID: String = ""

    // MARK: The line being read (SSEParser+Lines.swift)

    /// Bytes of the unfinished current line read so far; 0 at the start of a line.
    var lineLength = 0
    /// Where the unfinished current line is: in its field name, in its value, or in a line to pass over.
    var lineState = LineState.name
    /// The first bytes of the unfinished line's field name, packed little-endian first byte lowest.
    var fieldName: UInt64 = 0
    /// How many bytes `fieldName` holds (at most 5, the longest known field name).
    var fieldNameLength = 0
    /// A colon ended the last chunk: one space opening the next chunk still belongs to it.
    var valueStartPending = false
    /// The value of an unfinished `id`, `event` or `retry` line (`data` values go straight to `data`).
    var value: [UInt8] = []
    /// The previous chunk ended with CR, so an LF opening this chunk completes a CR LF.
    var previousChunkEndedWithCR = false
    /// Bytes of a leading byte order mark matched so far; 3 once the stream's start has been decided.
    var byteOrderMarkBytesMatched = 0

    // MARK: The event being read (SSEParser+Fields.swift)

    /// The data buffer: each `data` value followed by LF (the last LF is dropped at dispatch).
    var data: [UInt8] = []
    /// The event type buffer.
    var eventType: [UInt8] = []
    /// The last event ID buffer, and whether it changed since `lastEventID` was taken from it.
    var lastEventIDBuffer: [UInt8] = []
    var lastEventIDBufferChanged = false
    /// The bytes of the current event's lines so far, without line terminators.
    var eventBytes = 0
    /// The current event went over `maxEventSize`: its lines are passed over until its empty
    /// line, when it is reported as ``SSEParserOutput/eventTooLarge(bytes:)``. A reader that
    /// must not wait for that end — an upstream line that never ends — checks this after each
    /// chunk to learn of the skip as soon as it starts.
    public internal(set) var isSkippingEvent = false
    /// The previous event's type and its string, so that a stream of one type builds the string once.
    var previousEventType: [UInt8] = []
    var previousEventTypeString = ""

    /// Creates a parser at the start of a stream, with no last event ID.
    /// - Parameter maxEventSize: the largest event data, and the longest `id`, `event` or `retry` value,
    ///   to keep, in bytes; larger events are skipped and reported. Values below 1 are taken as 1,
    ///   and values past `Int.max / 2` (no limit, in effect) as that, so sizes never overflow.
    public init(maxEventSize: Int = 1 << 20) {
        self.maxEventSize = min(max(maxEventSize, 1), Int.max / 2)
    }

    /// Reads the next chunk of the stream, calling `output` for each event, retry time or skipped event it
    /// completes, in stream order.
    ///
    /// A chunk may end anywhere — inside a line, a CR LF, a multi-byte character or the byte order mark.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, _ output: (SSEParserOutput) -> Void) {
        var bytes = bytes
        if byteOrderMarkBytesMatched < 3 {
            bytes = skipByteOrderMark(bytes, output)
        }
        parseLines(bytes, output)
    }

    /// Reads the next chunk of the stream from any byte sequence (an `Array`, a `String.UTF8View`, …).
    ///
    /// Contiguous collections are read in place; other sequences are copied into an array first.
    public mutating func parse<Bytes: Sequence>(_ bytes: Bytes, _ output: (SSEParserOutput) -> Void)
    where Bytes.Element == UInt8 {
        let readInPlace: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            parse(UnsafeRawBufferPointer(buffer), output)
        }
        if readInPlace == nil {
            Array(bytes).withUnsafeBytes { parse($0, output) }
        }
    }

    /// Prepares for the body of a new connection.
    ///
    /// The partial line and event are discarded (the standard drops an event the stream did not finish),
    /// as is an `id` read in that event; the byte order mark may open the new body. ``lastEventID`` is
    /// kept, so events on the new connection carry it until the server sends another `id`, as in browsers.
    public mutating func reset() {
        resetLine()
        previousChunkEndedWithCR = false
        byteOrderMarkBytesMatched = 0
        data.removeAll(keepingCapacity: true)
        eventType.removeAll(keepingCapacity: true)
        lastEventIDBufferChanged = false
        eventBytes = 0
        isSkippingEvent = false
    }

    /// Sets the last event ID, as when resuming a stream whose last ID was stored elsewhere.
    ///
    /// It replaces an `id` read in the current, unfinished event. Events carry it until the stream sends
    /// another `id`.
    public mutating func setLastEventID(_ id: String) {
        lastEventID = id
        lastEventIDBufferChanged = false
    }

    /// The bytes of storage the parser's buffers hold now (their capacity).
    ///
    /// Each buffer stays within `maxEventSize` + 1 bytes, whatever the input; this lets tests and
    /// metrics check that memory stays bounded.
    public var bufferedBytes: Int {
        data.capacity + value.capacity + eventType.capacity + previousEventType.capacity + lastEventIDBuffer.capacity
    }
}
