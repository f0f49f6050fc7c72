/// A regular expression compiled once at load, for `matches`.
///
/// Swift's `Regex` is not `Sendable`; a compiled one is immutable and safe to share, which is
/// what this wrapper asserts. Matching searches (`firstMatch`): anchor with `^…$` to match the
/// whole value.
struct CompiledRegex: @unchecked Sendable {
    let pattern: String
    private let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws {
        self.pattern = pattern
        self.regex = try Regex(pattern)
    }

    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}
