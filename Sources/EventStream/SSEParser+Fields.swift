/// Interpreting a line's field, and ending (dispatching or skipping) an event.
extension SSEParser {
    /// The fields the parser keeps; any other field name is ignored, as the standard says.
    enum Field: Sendable {
        case data, event, id, retry

        /// The field with this name, packed into a word first byte lowest; `nil` for an unknown name.
        ///
        /// Names are compared as bytes: no string is built for a field name.
        @inline(__always)
        init?(packedName: UInt64, length: Int) {
            switch (length, packedName) {
            case (4, 0x6174_6164): self = .data  // "data"
            case (5, 0x74_6E65_7665): self = .event  // "event"
            case (2, 0x6469): self = .id  // "id"
            case (5, 0x79_7274_6572): self = .retry  // "retry"
            default: return nil
            }
        }

        /// The field named by `length` bytes at `name`; `nil` for an unknown name.
        @inline(__always)
        init?(name: UnsafeRawPointer, length: Int) {
            guard length <= 5 else { return nil }
            var packed: UInt64 = 0
            for index in 0..<length {
                packed |= UInt64(name.load(fromByteOffset: index, as: UInt8.self)) << (8 * index)
            }
            self.init(packedName: packed, length: length)
        }
    }

    /// Reads a line that lies whole in the chunk, in place; `count` excludes the line terminator.
    mutating func readLine(_ line: UnsafeRawPointer, count: Int, _ output: (SSEParserOutput) -> Void) {
        eventBytes += count
        guard count > 0 else { return endEvent(output) }
        guard !isSkippingEvent else { return }
        // Look for the colon in the first six bytes only: no field we keep has a longer name.
        let searched = min(count, 6)
        var colon = 0
        while colon < searched, line.load(fromByteOffset: colon, as: UInt8.self) != .colon {
            colon += 1
        }
        let value: UnsafeRawBufferPointer
        if colon < searched {
            var valueStart = colon + 1
            if valueStart < count, line.load(fromByteOffset: valueStart, as: UInt8.self) == .space {
                valueStart += 1
            }
            value = UnsafeRawBufferPointer(start: line + valueStart, count: count - valueStart)
        } else if count <= 5 {
            // No colon: the whole line is the field name and the value is empty.
            value = UnsafeRawBufferPointer(start: nil, count: 0)
        } else {
            return
        }
        // A colon at 0 is a comment: the empty name matches no field.
        guard let field = Field(name: line, length: colon) else { return }
        readField(field, value: value, output)
    }

    /// Applies one field of the event being read.
    mutating func readField(_ field: Field, value: UnsafeRawBufferPointer, _ output: (SSEParserOutput) -> Void) {
        switch field {
        case .data:
            guard data.count + value.count <= maxEventSize else { return skipEvent() }
            if let bytes = value.baseAddress {
                Self.append(bytes, count: value.count, to: &data, limit: maxEventSize + 1)
            }
            Self.append(byte: .lf, to: &data, limit: maxEventSize + 1)
        case .event:
            guard value.count <= maxEventSize else { return skipEvent() }
            eventType.removeAll(keepingCapacity: true)
            if let bytes = value.baseAddress {
                Self.append(bytes, count: value.count, to: &eventType, limit: maxEventSize)
            }
        case .id:
            guard value.count <= maxEventSize else { return skipEvent() }
            guard let bytes = value.baseAddress else {
                lastEventIDBuffer.removeAll(keepingCapacity: true)
                lastEventIDBufferChanged = true
                return
            }
            // The standard ignores an id containing NUL: it could not be sent back in a header.
            guard !ByteScanner.contains(.nul, in: bytes, count: value.count) else { return }
            lastEventIDBuffer.removeAll(keepingCapacity: true)
            Self.append(bytes, count: value.count, to: &lastEventIDBuffer, limit: maxEventSize)
            lastEventIDBufferChanged = true
        case .retry:
            guard value.count <= maxEventSize else { return skipEvent() }
            if let milliseconds = Self.milliseconds(value) {
                output(.retry(milliseconds: milliseconds))
            }
        }
    }

    /// The value of a `retry` field: only ASCII digits, at least one, clamped to `Int.max`.
    static func milliseconds(_ value: UnsafeRawBufferPointer) -> Int? {
        guard !value.isEmpty else { return nil }
        var result = 0
        var overflowed = false
        for byte in value {
            guard byte >= .zero, byte <= .nine else { return nil }
            // Keep checking the digits after an overflow: "99…9x" is still not a number.
            let (product, productOverflow) = result.multipliedReportingOverflow(by: 10)
            let (sum, sumOverflow) = product.addingReportingOverflow(Int(byte - .zero))
            overflowed = overflowed || productOverflow || sumOverflow
            result = sum
        }
        return overflowed ? Int.max : result
    }

    /// Ends the event at an empty line: dispatches it, or reports it when it was skipped.
    mutating func endEvent(_ output: (SSEParserOutput) -> Void) {
        let bytes = eventBytes
        eventBytes = 0
        // The standard takes the last event ID at every empty line, even when nothing is dispatched.
        if lastEventIDBufferChanged {
            lastEventIDBufferChanged = false
            lastEventID = String(decoding: lastEventIDBuffer, as: UTF8.self)
        }
        if isSkippingEvent {
            isSkippingEvent = false
            output(.eventTooLarge(bytes: bytes))
            return
        }
        guard !data.isEmpty else {
            eventType.removeAll(keepingCapacity: true)
            return
        }
        // Drop the LF that follows the last data value.
        let text = data.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0.dropLast()), as: UTF8.self) }
        data.removeAll(keepingCapacity: true)
        let event = Event(id: lastEventID.isEmpty ? nil : lastEventID, event: takeEventType(), data: text)
        output(.event(event))
    }

    /// The event type buffer as a string (`nil` when empty), emptying the buffer.
    mutating func takeEventType() -> String? {
        guard !eventType.isEmpty else { return nil }
        if eventType != previousEventType {
            previousEventTypeString = String(decoding: eventType, as: UTF8.self)
            swap(&previousEventType, &eventType)
        }
        eventType.removeAll(keepingCapacity: true)
        return previousEventTypeString
    }

    /// Starts passing over the rest of an event that went over `maxEventSize`, freeing what it held.
    mutating func skipEvent() {
        // The line state is left alone: `isSkippingEvent` alone decides, and a line read in place has none.
        isSkippingEvent = true
        data.removeAll(keepingCapacity: true)
        eventType.removeAll(keepingCapacity: true)
    }
}
