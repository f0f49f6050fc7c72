import GatewayConfig
import GatewayPlugin
import Testing

@testable import ExecTransform

@Suite struct ExecOptionsTests {
    func problems(_ yaml: String) -> [String] {
        switch ExecTransform.plugin.prepare(yaml: yaml) {
        case .success: return []
        case .failure(let errors): return errors.problems.map(\.description)
        }
    }

    func configuration(_ yaml: String) throws -> ExecConfiguration {
        let step = try ExecTransform.plugin.prepare(yaml: yaml).get().make()
        return try #require(step as? ExecTransform).configuration
    }

    @Test func aListIsTheProgramAndItsArgumentsAndTheDefaultsApply() throws {
        let configuration = try configuration(#"command: ["python3", "redact.py", "--mask", "a b"]"#)
        #expect(configuration.command == .argv(["python3", "redact.py", "--mask", "a b"]))
        #expect(configuration.queueCapacity == 10_000)
        #expect(configuration.restartInitial == .seconds(1))
        #expect(configuration.restartMax == .seconds(30))
        #expect(configuration.maxLine == 1 << 20)
    }

    @Test func aStringIsACommandLineForTheShell() throws {
        let configuration = try configuration("command: python3 enrich.py | tee /tmp/x\nqueue: 50\nrestart: { initial: 250ms, max: 1m }")
        #expect(configuration.command == .shell("python3 enrich.py | tee /tmp/x"))
        #expect(configuration.command.argv == ["/bin/sh", "-c", "python3 enrich.py | tee /tmp/x"])
        #expect(configuration.queueCapacity == 50)
        #expect(configuration.restartInitial == .milliseconds(250))
        #expect(configuration.restartMax == .seconds(60))
    }

    @Test func theSummaryShowsTheCommandAndItsLimits() throws {
        let summary = try ExecTransform.plugin.prepare(yaml: #"{ command: [python3, "my script.py"], queue: 10 }"#).get().summary
        #expect(summary == "exec python3 'my script.py' (queue 10, restart 1s…30s)")
        #expect(try ExecTransform.plugin.prepare(yaml: "command: cat -u").get().summary == "exec sh -c 'cat -u' (queue 10000, restart 1s…30s)")
    }

    @Test func badOptionsAreReportedWithPositions() {
        #expect(
            problems("command: []\nqueue: lots\nrestart: { initial: soon, mx: 1s }\nstderr: log\n") == [
                "test.yaml:1:10: 'command' must not be empty; give a list like [python3, redact.py] (the program and its arguments) or a string (run by /bin/sh -c)",
                "test.yaml:2:8: 'queue' must be a whole number, found 'lots'",
                "test.yaml:3:21: 'initial' must be a duration like 250ms, 5s, 1m or 2h, found 'soon'",
                "test.yaml:3:27: unknown key 'mx' in 'restart'. Did you mean 'max'?",
                "test.yaml:4:1: unknown key 'stderr' in 'exec'.",
            ])
    }

    @Test func aMissingCommandIsReported() {
        #expect(
            problems("queue: 5") == [
                "test.yaml:1:1: 'exec' needs 'command': a list like [python3, redact.py] (the program and its arguments) or a string (run by /bin/sh -c)"
            ])
    }

    @Test func commandsOfTheWrongShapeAreReportedWhereTheyAre() {
        #expect(problems("command: { run: cat }") == [
            "test.yaml:1:10: 'command' must be a list like [python3, redact.py] (the program and its arguments) or a string (run by /bin/sh -c), found a map"
        ])
        #expect(problems("command: [cat, [x]]") == ["test.yaml:1:16: 'command' must be a list of strings; element 2 is a list"])
        #expect(problems("command: '  '").first?.hasPrefix("test.yaml:1:10: 'command' must not be empty") == true)
        #expect(problems("command: ['', x]") == ["test.yaml:1:11: 'command' must start with the program to run, found an empty string"])
    }

    @Test func aProgramThatIsNotOnPathIsReported() {
        #expect(problems("command: [no-such-program-4f2a, x]") == ["test.yaml:1:11: 'command': program 'no-such-program-4f2a' is not found on PATH"])
        #expect(problems("command:\n  - ./no/such/file\n") == ["test.yaml:2:5: 'command': program './no/such/file' is not an executable file"])
    }

    @Test func restartMaxBelowInitialIsReported() {
        #expect(problems("command: cat\nrestart:\n  initial: 10s\n  max: 1s\n") == [
            "test.yaml:4:8: 'restart.max' (1s) must be at least 'restart.initial' (10s)"
        ])
    }

    @Test(arguments: ["command: cat\nqueue: 0", "command: cat\nmax_line: 10", "command: cat\nrestart: 5s", "command: cat\nrestart: { initial: 0 }"])
    func outOfRangeValuesAreRefused(_ yaml: String) {
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.allSatisfy { $0.hasPrefix("test.yaml:2:") })
    }
}
