/// Writes events, comments and reconnection hints in the `text/event-stream` format, into a
/// `[UInt8]` or any ``SSEOutput`` (a server writes straight into the buffer it sends).
///
/// ```swift
/// var bytes: [UInt8] = []
/// SSEEncoder.retry(milliseconds: 2000, into: &bytes)   // "retry: 2000\n"
/// SSEEncoder.comment("ok", into: &bytes)               // ": ok\n"
/// SSEEncoder.encode(Event(id: "7", event: "quote", data: "{\"p\":1}\n{\"p\":2}"), into: &bytes)
/// // "id: 7\nevent: quote\ndata: {\"p\":1}\ndata: {\"p\":2}\n\n"
/// ```
///
/// Whatever the strings hold, the output never ends a field early and never contains an empty line
/// except the one that ends an event, so what ``SSEParser`` (or a browser) reads back is exactly what was
/// meant, with these rules:
/// - A field is written `name: value`, or `name:` when the value is empty. The space after the colon is
///   always written for a non-empty value, so a value that starts with a space keeps it.
/// - `data` is split into lines at CR LF, LF and a lone CR — the line ends a parser knows — and written as
///   one `data` line each. It reads back with every line end as LF (the format cannot carry CR).
/// - `id` and `event` values cannot span lines: CR and LF are removed from them. NUL is also removed from
///   an `id`, because parsers ignore an `id` containing NUL: the client would keep its previous id and
///   resume from the wrong place.
public enum SSEEncoder {
    /// Appends one event: `retry` (when set), `id` (when not `nil`), `event` (unless `nil`, empty or
    /// `message`), one `data` line per line of data, then the empty line that dispatches it.
    ///
    /// An event whose data is empty is written with one empty `data` line, so it is still dispatched.
    /// A negative `retry` is left out, as parsers would ignore it.
    public static func encode(_ event: Event, into buffer: inout some SSEOutput) {
        if let milliseconds = event.retry {
            retry(milliseconds: milliseconds, into: &buffer)
        }
        if let id = event.id {
            appendSingleLineField("id", id, removingNUL: true, into: &buffer)
        }
        if let type = event.event, !type.isEmpty, type != "message" {
            appendSingleLineField("event", type, removingNUL: false, into: &buffer)
        }
        var data = event.data  // `withUTF8` needs a mutable string; a native one is not copied.
        data.withUTF8 { bytes in
            forEachLine(of: bytes) { line in appendField("data", line, into: &buffer) }
        }
        buffer.append(.lf)
    }

    /// Returns the bytes of one event, as ``encode(_:into:)`` writes them.
    public static func encode(_ event: Event) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(event.data.utf8.count + (event.id?.utf8.count ?? 0) + (event.event?.utf8.count ?? 0) + 32)
        encode(event, into: &buffer)
        return buffer
    }

    /// Appends a comment: `: text`, one comment line per line of `text`, or `:` alone when it is empty.
    ///
    /// Clients ignore comments; servers send them to keep idle connections open (heartbeats).
    public static func comment(_ text: String, into buffer: inout some SSEOutput) {
        var text = text
        text.withUTF8 { bytes in
            forEachLine(of: bytes) { line in
                buffer.append(.colon)
                if !line.isEmpty {
                    buffer.append(.space)
                    buffer.append(contentsOf: line)
                }
                buffer.append(.lf)
            }
        }
    }

    /// Appends `retry: N`, the reconnection time a client should wait, in milliseconds.
    ///
    /// A negative time is not written: parsers accept only digits, so they would ignore it.
    public static func retry(milliseconds: Int, into buffer: inout some SSEOutput) {
        guard milliseconds >= 0 else { return }
        append("retry: ", to: &buffer)
        appendDecimal(milliseconds, to: &buffer)
        buffer.append(.lf)
    }

    // MARK: Helpers

    /// Calls `body` with each line of `bytes`, split at CR LF, LF and lone CR; a trailing line end is
    /// followed by an empty last line, and no bytes are one empty line.
    private static func forEachLine(of bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return body(UnsafeBufferPointer(start: nil, count: 0))
        }
        let end = bytes.count
        var start = 0
        while true {
            let lineEnd = ByteScanner.firstLineBreak(UnsafeRawPointer(base), from: start, to: end) ?? end
            body(UnsafeBufferPointer(rebasing: bytes[start..<lineEnd]))
            guard lineEnd < end else { return }
            start = lineEnd + 1
            if bytes[lineEnd] == .cr, start < end, bytes[start] == .lf {
                start += 1
            }
        }
    }

    /// Appends `name: value` (or `name:` for an empty value) and LF; `value` holds no line end.
    @inline(__always)
    private static func appendField(_ name: StaticString, _ value: UnsafeBufferPointer<UInt8>, into buffer: inout some SSEOutput) {
        append(name, to: &buffer)
        buffer.append(.colon)
        if !value.isEmpty {
            buffer.append(.space)
            buffer.append(contentsOf: value)
        }
        buffer.append(.lf)
    }

    /// Appends a field whose value must stay on one line, removing CR and LF (and NUL when asked).
    private static func appendSingleLineField(
        _ name: StaticString,
        _ value: String,
        removingNUL: Bool,
        into buffer: inout some SSEOutput
    ) {
        var value = value
        value.withUTF8 { bytes in
            let isClean = !bytes.contains { $0 == .cr || $0 == .lf || (removingNUL && $0 == .nul) }
            if isClean {
                return appendField(name, bytes, into: &buffer)
            }
            append(name, to: &buffer)
            buffer.append(.colon)
            buffer.append(.space)
            for byte in bytes where byte != .cr && byte != .lf && !(removingNUL && byte == .nul) {
                buffer.append(byte)
            }
            buffer.append(.lf)
        }
    }

    @inline(__always)
    private static func append(_ text: StaticString, to buffer: inout some SSEOutput) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// Appends the decimal digits of a non-negative integer without building a string.
    private static func appendDecimal(_ value: Int, to buffer: inout some SSEOutput) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var remaining = value
            var index = digits.count
            repeat {
                index -= 1
                digits[index] = .zero + UInt8(truncatingIfNeeded: remaining % 10)
                remaining /= 10
            } while remaining > 0
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }
}

/// Where ``SSEEncoder`` writes: a growable byte buffer. `[UInt8]` is one; a server adapts the
/// buffer type it sends, so an event is encoded once, in place, with no intermediate copy.
public protocol SSEOutput {
    /// Appends one byte.
    mutating func append(_ byte: UInt8)
    /// Appends bytes.
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: SSEOutput where Element == UInt8 {}
