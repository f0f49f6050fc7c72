import GatewayPlugin

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `exec` starts the user's program.
enum ExecCommand: Sendable, Equatable, CustomStringConvertible {
    /// The program and its arguments; the program is looked up on `PATH` unless it holds a `/`.
    case argv([String])
    /// A command line run by `/bin/sh -c`.
    case shell(String)

    /// What is passed to `posix_spawnp`.
    var argv: [String] {
        switch self {
        case .argv(let arguments): arguments
        case .shell(let line): ["/bin/sh", "-c", line]
        }
    }

    /// The command as the plan shows it.
    var description: String {
        switch self {
        case .argv(let arguments): arguments.map(Self.quotedIfNeeded).joined(separator: " ")
        case .shell(let line): "sh -c \(Self.quotedIfNeeded(line))"
        }
    }

    private static func quotedIfNeeded(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return plain ? word : "'" + word.replacing("'", with: #"'\''"#) + "'"
    }
}

/// The validated options of one `exec` step.
struct ExecConfiguration: Sendable {
    /// The program to run.
    var command: ExecCommand
    /// `queue`: events waiting for the program's stdin; beyond it, events are dropped (`exec_queue_full`).
    var queueCapacity: Int
    /// `restart.initial`: the first delay before restarting a program that exited.
    var restartInitial: Duration
    /// `restart.max`: the delay doubles after each exit up to this; a run at least this long resets it.
    var restartMax: Duration
    /// `max_line`: a longer line on stdout is discarded and counted as `invalid_output`.
    var maxLine: Int
    /// How long `stop()` waits after SIGTERM before SIGKILL.
    var stopGrace: Duration = .seconds(2)

    static let defaultQueue = 10_000
    static let defaultMaxLine = 1 << 20

    /// Reads the options, reporting every problem; `nil` when any is invalid.
    static func read(_ options: OptionsReader) -> ExecConfiguration? {
        let command = readCommand(options)
        let queue = options.int("queue", default: defaultQueue, in: 1...10_000_000)
        var initial: Duration? = .seconds(1)
        var maximum: Duration? = .seconds(30)
        if let restart = options.nested("restart") {
            initial = restart.duration("initial", default: .seconds(1), minimum: .milliseconds(1))
            maximum = restart.duration("max", default: .seconds(30), minimum: .milliseconds(1))
            restart.finish()
            if let initial, let maximum, maximum < initial {
                restart.report(
                    "'restart.max' (\(Units.describe(maximum))) must be at least 'restart.initial' (\(Units.describe(initial)))",
                    at: restart.node["max"]?.location ?? restart.node.location)
            }
        }
        let maxLine = options.size("max_line", default: defaultMaxLine, minimum: 64)
        guard let command, let queue, let initial, let maximum, let maxLine, options.isValid else { return nil }
        return ExecConfiguration(command: command, queueCapacity: queue, restartInitial: initial, restartMax: maximum, maxLine: maxLine)
    }

    private static func readCommand(_ options: OptionsReader) -> ExecCommand? {
        let shapes = "a list like [python3, redact.py] (the program and its arguments) or a string (run by /bin/sh -c)"
        guard let node = options.node("command") else {
            options.report("\(options.context) needs 'command': \(shapes)")
            return nil
        }
        switch node.value {
        case .scalar(let line, _):
            guard !line.allSatisfy(\.isWhitespace) else {
                options.report("'command' must not be empty; give \(shapes)", at: node.location)
                return nil
            }
            return .shell(line)
        case .sequence(let elements):
            guard !elements.isEmpty else {
                options.report("'command' must not be empty; give \(shapes)", at: node.location)
                return nil
            }
            var arguments: [String] = []
            for (index, element) in elements.enumerated() {
                guard let text = element.scalar else {
                    options.report("'command' must be a list of strings; element \(index + 1) is \(element.kindDescription)", at: element.location)
                    return nil
                }
                arguments.append(text)
            }
            guard let program = arguments.first, !program.isEmpty else {
                options.report("'command' must start with the program to run, found an empty string", at: elements[0].location)
                return nil
            }
            guard ProgramLookup.isExecutable(program) else {
                let place = program.contains("/") ? "is not an executable file" : "is not found on PATH"
                options.report("'command': program '\(program)' \(place)", at: elements[0].location)
                return nil
            }
            return .argv(arguments)
        case .mapping, .null:
            options.report("'command' must be \(shapes), found \(node.kindDescription)", at: node.location)
            return nil
        }
    }
}

/// Finds a program the way `posix_spawnp` will.
enum ProgramLookup {
    /// Whether `program` names an executable file: as a path when it holds a `/`, else in a `PATH` directory.
    static func isExecutable(_ program: String) -> Bool {
        if program.contains("/") { return isExecutableFile(program) }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let folder = directory.isEmpty ? "." : String(directory)
            if isExecutableFile(folder + "/" + program) { return true }
        }
        return false
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
