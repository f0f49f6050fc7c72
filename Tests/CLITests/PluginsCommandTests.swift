import Foundation
import Testing

/// `gateway plugins [NAME]`, run as a user would, and the README's option tables, which must be
/// what it prints with `--markdown`.
@Suite(.serialized) struct PluginsCommandTests {
    static let builtins = [
        ("generate", "synthetic events on a timer"), ("http", "events POSTed"), ("nats", "NATS subjects"), ("poll", "poll a JSON API"),
        ("sse", "Server-Sent Events"), ("stdin", "standard input"), ("dedupe", "drops events whose key"), ("exec", "pipes events"),
        ("filter", "keeps the events"), ("rename", "renames event types"), ("throttle", "latest event per key"),
    ]

    @Test func listsEverySourceTypeAndTransformWithItsSummary() throws {
        let result = try GatewayBinary.run(["plugins"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for (name, summary) in Self.builtins {
            #expect(lines.contains { $0.hasPrefix("  \(name) ") && $0.contains(summary) }, "no line for \(name)")
        }
        let sources = try #require(lines.firstIndex { $0.hasPrefix("Sources") })
        let transforms = try #require(lines.firstIndex { $0.hasPrefix("Transforms") })
        #expect(try #require(lines.firstIndex { $0.hasPrefix("  poll ") }) < transforms)
        #expect(try #require(lines.firstIndex { $0.hasPrefix("  dedupe ") }) > transforms)
        #expect(sources < transforms)
    }

    @Test func showsOnePluginsOptionsAsATable() throws {
        let result = try GatewayBinary.run(["plugins", "poll"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "poll (source): poll a JSON API and emit what changed")
        let header = try #require(lines.first { $0.hasPrefix("OPTION") })
        #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["OPTION", "TYPE", "DEFAULT", "ALLOWED", "DESCRIPTION"])
        func row(_ key: String) -> [String] {
            // Columns are two spaces or more apart.
            let line = lines.first { $0.hasPrefix(key + " ") } ?? ""
            return line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(row("interval").prefix(4) == ["interval", "duration", "5s", "≥ 10ms"])
        #expect(row("method").prefix(4) == ["method", "one of", "GET", "GET, POST, PUT, PATCH"])
        #expect(row("url").prefix(3) == ["url", "string", "required"])
        #expect(row("types.created").prefix(3) == ["types.created", "string", "created"])
        // The description is the last column, without Markdown's backticks.
        #expect(row("url").last == "the API's URL, http:// or https://")
    }

    @Test func anUnknownNameExitsOneWithTheClosestNameSuggested() throws {
        let result = try GatewayBinary.run(["plugins", "filtr"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("gateway plugins: unknown plugin 'filtr'. Did you mean 'filter'? Known: generate, http,"))
    }

    @Test func markdownIsTheREADMEsTableFormat() throws {
        let result = try GatewayBinary.run(["plugins", "--markdown", "dedupe"])
        #expect(result.status == 0)
        #expect(
            result.stdout == """
                | option | type | default | meaning |
                | --- | --- | --- | --- |
                | `by` | string | `id` | `id`, `data` (the whole payload) or `data.PATH` |
                | `window` | integer 1…10000000 | `10000` | keys remembered; the least recently seen is forgotten first (a repeat counts as seen) |
                | `ttl` | duration ≥ 1ms | none | a key lets an event through again once `ttl` has passed since it last let one through |

                """)
    }

    /// `scripts/plugin-tables --check` compares the table under each plugin's README heading with
    /// `gateway plugins --markdown NAME`; on a difference it prints the diff and how to fix it.
    @Test func theREADMEsOptionTablesAreTheDeclaredOnes() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository.appendingPathComponent("scripts/plugin-tables").path, "--check", "--gateway", GatewayBinary.path]
        process.currentDirectoryURL = repository
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "README.md's option tables differ from the plugins' declarations:\n\(text)")
    }
}
