/// What one streaming client asked to receive.
enum ClientPolicy {
    /// Parses `?event=a,b` (the parameter may repeat); `nil` when absent or empty.
    static func types(fromQueryValues values: [String]) -> Set<String>? {
        let types = values.flatMap { $0.split(separator: ",") }.map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
        return types.isEmpty ? nil : Set(types)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingCharacters() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
