import NIOCore

/// What one streaming client receives, and when it is cut off: the decisions of the fan-out,
/// kept apart from I/O so they can be tested on their own.
struct ClientPolicy: Sendable {
    /// Only these event types, from `?event=a,b`; `nil` for every type.
    let types: Set<String>?
    /// Events up to and including this sequence were already written (replay) or predate
    /// the connection; the fan-out skips them. This is what makes the resume seam exact.
    let startAfter: UInt64

    /// Whether the event numbered `sequence` of type `type` goes to this client.
    @inline(__always)
    func delivers(sequence: UInt64, type: String) -> Bool {
        guard sequence > startAfter else { return false }
        guard let types else { return true }
        return types.contains(type)
    }

    /// Whether a replayed event of type `type` goes to this client.
    func replays(type: String) -> Bool {
        types?.contains(type) ?? true
    }

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
