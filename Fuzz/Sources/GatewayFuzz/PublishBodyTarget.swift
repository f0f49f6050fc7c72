import HTTPSource

/// Any bytes as the body of a publish to an `http` source (SPEC §7) — whoever holds a publish
/// token sends them — under each content type the source reads: decoded or refused, never a
/// trap; every event accepted fits `max_event_size`, and its id and type are single lines, so
/// no body can forge a field of the SSE stream clients read.
func fuzzPublishBody(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let types = PublishBody.acceptedTypes + ["application/jsonl", "text/plain"]
    let contentType = types[Int(start[0]) % types.count]
    let body = Array(UnsafeBufferPointer(start: start + 1, count: count - 1))
    let maxEventSize = 256
    switch PublishBody.events(contentType: contentType, body: body, maxEventSize: maxEventSize) {
    case .success(let events):
        for event in events {
            precondition(event.data.utf8.count <= maxEventSize, "an event over max_event_size was accepted")
            precondition(!(event.id ?? "").unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }, "an id spans lines: \(event.id ?? "")")
            precondition(!(event.event ?? "").unicodeScalars.contains { $0 == "\r" || $0 == "\n" }, "a type spans lines: \(event.event ?? "")")
            precondition(event.event != "", "an empty type was accepted")
        }
    case .failure(let problem):
        precondition(problem.status == 400 || problem.status == 415, "a refusal is a 400 or a 415, not \(problem.status)")
        precondition(!problem.message.isEmpty, "a refusal says why")
    }
    return 0
}
