import EventStream

/// A deliberately plain restatement of the parser's contract, for differential tests: it takes the whole
/// stream at once, splits it into lines first, and builds strings freely. Speed is no concern here.
enum ReferenceParser {
    static func outputs(of stream: [UInt8], maxEventSize: Int) -> (outputs: [SSEParserOutput], lastEventID: String) {
        var bytes = stream[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes = bytes.dropFirst(3)
        }
        // Lines end at CR LF, CR or LF; an unterminated last line is dropped.
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                lines.append(bytes[start..<index])
                index += (byte == 0x0D && index + 1 < bytes.endIndex && bytes[index + 1] == 0x0A) ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }

        var outputs: [SSEParserOutput] = []
        var dataLines: [ArraySlice<UInt8>] = []
        var type: ArraySlice<UInt8> = []
        var idBuffer: ArraySlice<UInt8>?
        var lastEventID = ""
        var skipping = false
        var eventBytes = 0
        for line in lines {
            if line.isEmpty {
                if let id = idBuffer {
                    lastEventID = String(decoding: id, as: UTF8.self)
                    idBuffer = nil
                }
                if skipping {
                    outputs.append(.eventTooLarge(bytes: eventBytes))
                } else if !dataLines.isEmpty {
                    let data = dataLines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
                    let event = Event(
                        id: lastEventID.isEmpty ? nil : lastEventID,
                        event: type.isEmpty ? nil : String(decoding: type, as: UTF8.self),
                        data: data
                    )
                    outputs.append(.event(event))
                }
                dataLines = []
                type = []
                skipping = false
                eventBytes = 0
                continue
            }
            eventBytes += line.count
            if skipping || line.first == 0x3A {
                continue
            }
            let name: ArraySlice<UInt8>
            var value: ArraySlice<UInt8>
            if let colon = line.firstIndex(of: 0x3A) {
                name = line[..<colon]
                value = line[(colon + 1)...]
                if value.first == 0x20 {
                    value = value.dropFirst()
                }
            } else {
                name = line
                value = []
            }
            switch String(decoding: name, as: UTF8.self) {
            case "data":
                let size = dataLines.reduce(0) { $0 + $1.count + 1 } + value.count
                if size > maxEventSize {
                    skipping = true
                } else {
                    dataLines.append(value)
                }
            case let field where ["event", "id", "retry"].contains(field) && value.count > maxEventSize:
                skipping = true
            case "event":
                type = value
            case "id" where !value.contains(0):
                idBuffer = value
            case "retry" where !value.isEmpty && value.allSatisfy({ (0x30...0x39).contains($0) }):
                outputs.append(.retry(milliseconds: Int(String(decoding: value, as: UTF8.self)) ?? .max))
            default:
                continue
            }
            if skipping {
                dataLines = []
                type = []
            }
        }
        return (outputs, lastEventID)
    }
}
