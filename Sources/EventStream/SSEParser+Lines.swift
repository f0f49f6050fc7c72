/// Splitting chunks into lines, and reading a line that spans chunks piece by piece.
///
/// A line that lies whole in one chunk is read in place by `readLine` (SSEParser+Fields.swift), without
/// copying. A line cut by a chunk boundary is read piece by piece as a small state machine, so that what it
/// holds is bounded: its field name (5 bytes at most), the value of an `id`, `event` or `retry` line, and
/// `data` values, which go straight to the data buffer. Comments and unknown fields are passed over.
extension SSEParser {
    /// Where the parser is in a line cut by a chunk boundary.
    enum LineState: Sendable {
        /// Reading the field name: no colon yet.
        case name
        /// After the colon of a field the parser keeps.
        case value(Field)
        /// In a comment, an unknown field, or a line of an event being skipped: pass over the rest.
        case ignored
    }

    /// Reads a chunk once the byte order mark has been dealt with.
    mutating func parseLines(_ bytes: UnsafeRawBufferPointer, _ output: (SSEParserOutput) -> Void) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let end = bytes.count
        var start = 0
        if previousChunkEndedWithCR {
            previousChunkEndedWithCR = false
            if base.load(as: UInt8.self) == .lf {
                start = 1
            }
        }
        while start < end {
            guard let lineEnd = ByteScanner.firstLineBreak(base, from: start, to: end) else {
                readPiece(base + start, count: end - start)
                return
            }
            if lineLength == 0 {
                readLine(base + start, count: lineEnd - start, output)
            } else {
                if lineEnd > start {
                    readPiece(base + start, count: lineEnd - start)
                }
                finishPiecewiseLine(output)
            }
            if base.load(fromByteOffset: lineEnd, as: UInt8.self) == .cr {
                guard lineEnd + 1 < end else {
                    previousChunkEndedWithCR = true
                    return
                }
                start = base.load(fromByteOffset: lineEnd + 1, as: UInt8.self) == .lf ? lineEnd + 2 : lineEnd + 1
            } else {
                start = lineEnd + 1
            }
        }
    }

    /// Reads the start of the stream, dropping a byte order mark; returns the rest of `bytes`.
    mutating func skipByteOrderMark(
        _ bytes: UnsafeRawBufferPointer,
        _ output: (SSEParserOutput) -> Void
    ) -> UnsafeRawBufferPointer {
        let byteOrderMark: UInt32 = 0xBF_BBEF  // EF BB BF, first byte lowest
        var index = 0
        while byteOrderMarkBytesMatched < 3, index < bytes.count {
            let expected = UInt8(truncatingIfNeeded: byteOrderMark >> (8 * byteOrderMarkBytesMatched))
            guard bytes[index] == expected else {
                // Not a BOM after all: the bytes held back for it are content, and come first.
                let heldBack = byteOrderMarkBytesMatched
                byteOrderMarkBytesMatched = 3
                withUnsafeBytes(of: byteOrderMark.littleEndian) { mark in
                    parseLines(UnsafeRawBufferPointer(rebasing: mark.prefix(heldBack)), output)
                }
                break
            }
            byteOrderMarkBytesMatched += 1
            index += 1
        }
        return UnsafeRawBufferPointer(rebasing: bytes[index...])
    }

    /// Reads part of a line that the chunk does not finish (or that follows such a part), without its
    /// line terminator.
    mutating func readPiece(_ start: UnsafeRawPointer, count: Int) {
        lineLength += count
        eventBytes += count
        guard !isSkippingEvent else { return }
        var piece = start
        var remaining = count
        if case .name = lineState {
            while remaining > 0 {
                let byte = piece.load(as: UInt8.self)
                piece += 1
                remaining -= 1
                if byte == .colon {
                    // An empty name is a comment line.
                    if let field = Field(packedName: fieldName, length: fieldNameLength) {
                        lineState = .value(field)
                        valueStartPending = true
                    } else {
                        lineState = .ignored
                    }
                    break
                }
                // No field we keep has a name longer than five bytes.
                guard fieldNameLength < 5 else {
                    lineState = .ignored
                    return
                }
                fieldName |= UInt64(byte) << (8 * fieldNameLength)
                fieldNameLength += 1
            }
        }
        guard case .value(let field) = lineState, remaining > 0 else { return }
        if valueStartPending {
            valueStartPending = false
            if piece.load(as: UInt8.self) == .space {
                piece += 1
                remaining -= 1
            }
        }
        if field == .data {
            guard data.count + remaining <= maxEventSize else { return skipEvent() }
            Self.append(piece, count: remaining, to: &data, limit: maxEventSize + 1)
        } else {
            guard value.count + remaining <= maxEventSize else { return skipEvent() }
            Self.append(piece, count: remaining, to: &value, limit: maxEventSize)
        }
    }

    /// Ends a line read piece by piece.
    mutating func finishPiecewiseLine(_ output: (SSEParserOutput) -> Void) {
        defer { resetLine() }
        // This line is not empty (it has pieces), so it does not end a skipped event.
        guard !isSkippingEvent else { return }
        switch lineState {
        case .ignored:
            return
        case .name:
            // No colon: the whole line is the field name and the value is empty.
            if let field = Field(packedName: fieldName, length: fieldNameLength) {
                readField(field, value: UnsafeRawBufferPointer(start: nil, count: 0), output)
            }
        case .value(.data):
            // Pieces checked the value's bytes; an empty value must still not push the data over (the LF of
            // the previous line now counts).
            guard data.count <= maxEventSize else { return skipEvent() }
            Self.append(byte: .lf, to: &data, limit: maxEventSize + 1)
        case .value(let field):
            // Move the value out so that reading it may mutate `self`.
            var fieldValue: [UInt8] = []
            swap(&fieldValue, &value)
            fieldValue.withUnsafeBytes { readField(field, value: $0, output) }
            fieldValue.removeAll(keepingCapacity: true)
            swap(&fieldValue, &value)
        }
    }

    /// Forgets the unfinished line.
    mutating func resetLine() {
        lineLength = 0
        lineState = .name
        fieldName = 0
        fieldNameLength = 0
        valueStartPending = false
        value.removeAll(keepingCapacity: true)
    }

    /// Appends bytes to a buffer that must never hold more than `limit` bytes, growing it geometrically
    /// but never past `limit` (the plain doubling of `Array` could reach twice the limit).
    @inline(__always)
    static func append(_ bytes: UnsafeRawPointer, count: Int, to buffer: inout [UInt8], limit: Int) {
        let needed = buffer.count + count
        if needed > buffer.capacity {
            buffer.reserveCapacity(min(max(needed, 2 * buffer.capacity), limit))
        }
        buffer.append(contentsOf: UnsafeBufferPointer(start: bytes.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// Appends one byte to a buffer that must never hold more than `limit` bytes.
    @inline(__always)
    static func append(byte: UInt8, to buffer: inout [UInt8], limit: Int) {
        if buffer.count == buffer.capacity {
            buffer.reserveCapacity(min(max(buffer.count + 1, 2 * buffer.capacity), limit))
        }
        buffer.append(byte)
    }
}
