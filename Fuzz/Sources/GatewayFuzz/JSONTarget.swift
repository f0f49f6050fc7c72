import GatewayPlugin

/// Any text through the JSON parser and the `data.PATH` machinery: no crash; a document that
/// parses serialises to text that parses back to the same value; the one-pass lookup agrees
/// with parsing then looking up; any text as a path either fails to parse or looks up without
/// trapping.
/// Paths the one-pass lookup is checked with on every input.
private let lookupPaths = ["a", "a.b", "a[0]", "[0]", "[1].a", "a.b[2].c"].compactMap(JSONPath.init)

func fuzzJSON(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    if let value = try? JSONValue.parse(bytes) {
        let text = value.serialized
        guard let again = try? JSONValue.parse(text) else { preconditionFailure("serialised JSON does not parse: \(text)") }
        precondition(again == value, "round trip changed \(value) into \(again)")
        if let path = JSONPath(String(decoding: bytes.prefix(64), as: UTF8.self)) { _ = path.lookup(in: value) }
    }
    // The one-pass lookup finds what parsing and looking up finds, for any text.
    let text = String(decoding: bytes, as: UTF8.self)
    let parsed = try? JSONValue.parse(text)
    for path in lookupPaths {
        let found = JSONValue.lookup(path, in: text)
        precondition(found == JSONLookup(path, in: parsed), "lookup of \(path) found \(found) in \(text)")
    }
    // The input as a path, looked up in a fixed document; and as a field name.
    let document: JSONValue = .object([
        JSONMember(key: "a", value: .array([.number("1"), .object([JSONMember(key: "b", value: .string("c"))])]))
    ])
    if let path = JSONPath(text) { _ = path.lookup(in: document) }
    if let field = EventField(text) { _ = field.key(of: Event(id: "1", data: text)) }
    return 0
}
