/// What `gateway test` prints: a line per case, `PASS name` or `FAIL name` followed by its
/// differences, then `N passed, M failed`.
struct TestReport {
    private(set) var passed = 0
    private(set) var failed = 0

    /// The lines for one case's result.
    mutating func lines(for result: CaseRunner.Result) -> [String] {
        if result.passed {
            passed += 1
            return ["PASS \(result.name)"]
        }
        failed += 1
        return ["FAIL \(result.name)"] + result.differences
    }

    /// The closing line.
    var summary: String { "\(passed) passed, \(failed) failed" }

    /// Whether every case passed.
    var allPassed: Bool { failed == 0 }
}
