/// What a client's `Accept-Encoding` (RFC 9110 §12.5.3) allows of the codings the gateway sends.
enum ContentCoding {
    /// Whether gzip is acceptable: `gzip` (or its alias `x-gzip`) listed with a weight above
    /// zero, or `*` above zero and gzip not refused by name. An element whose weight does not
    /// parse counts as refused.
    static func acceptsGzip(_ headerValues: [String]) -> Bool {
        var named: Double?
        var any: Double?
        for value in headerValues {
            for element in value.split(separator: ",") {
                let parts = element.split(separator: ";").map(\.trimmingBlanks)
                guard let coding = parts.first?.lowercased(), !coding.isEmpty else { continue }
                var weight = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1).map(\.trimmingBlanks)
                    guard pair.count == 2, pair[0].lowercased() == "q" else { continue }
                    weight = Double(pair[1]).flatMap { (0...1).contains($0) ? $0 : nil } ?? 0
                }
                switch coding {
                case "gzip", "x-gzip": named = max(named ?? 0, weight)
                case "*": any = max(any ?? 0, weight)
                default: continue
                }
            }
        }
        if let named { return named > 0 }
        return (any ?? 0) > 0
    }
}

extension Substring {
    /// Without the spaces and tabs around it (RFC 9110's optional whitespace).
    fileprivate var trimmingBlanks: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
