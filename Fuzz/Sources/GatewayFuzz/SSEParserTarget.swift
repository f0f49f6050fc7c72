import EventStream

/// Any bytes, in any chunking, through the SSE parser: no crash, bounded memory, and every
/// event it reads survives the encoder → parser round trip unchanged.
///
/// The first byte picks the chunk size (1…256) and the second the size limit, so the corpus
/// explores chunk boundaries (a CR LF split across reads, a BOM split) and the skip path.
func fuzzSSEParser(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    guard bytes.count >= 2 else { return 0 }
    let chunkSize = Int(bytes[0]) + 1
    let maxEventSize = 16 + Int(bytes[1]) * 64
    let body = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[2...]))

    var parser = SSEParser(maxEventSize: maxEventSize)
    var events: [Event] = []
    var offset = 0
    while offset < body.count {
        let end = min(offset + chunkSize, body.count)
        parser.parse(UnsafeRawBufferPointer(rebasing: body[offset..<end])) { output in
            if case .event(let event) = output { events.append(event) }
        }
        precondition(parser.bufferedBytes <= 4 * maxEventSize + 64, "the parser holds \(parser.bufferedBytes) bytes")
        offset = end
    }

    // What was parsed, encoded and parsed again, is what was parsed. (Ids carry over events
    // without one, as a browser's last event id does, so each event is re-read on its own.)
    for event in events {
        var again = SSEParser(maxEventSize: Int.max)
        var reread: [Event] = []
        again.parse(SSEEncoder.encode(event)) { output in
            if case .event(let event) = output { reread.append(event) }
        }
        precondition(reread == [event], "round trip changed \(event) into \(reread)")
    }
    return 0
}
