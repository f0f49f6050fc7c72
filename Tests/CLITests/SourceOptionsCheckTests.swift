import Testing

/// `gateway check` on the upstream sources' options: every mistake, positioned, exit 1.
@Suite struct SourceOptionsCheckTests {
    @Test func badOptionsOfEachUpstreamSourceArePrintedWithTheirPositions() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            sources:
              up:
                type: sse
                url: example.com/stream
                reconnect: { initial: 1m, max: 1s }
              api:
                type: poll
                url: http://127.0.0.1:9000/api
                emit: everything
                id: 'a..b'
              logs:
                type: stdin
                format: json
                on_eof: stop
            endpoints:
              - path: /all
                from: [up, api, logs]
            """, name: "sources.yaml")
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let expected = [
            "\(file):4:10: 'url' must be an http:// or https:// URL, found 'example.com/stream'",
            "\(file):5:27: 'reconnect.initial' (1m) must not exceed 'reconnect.max' (1s)",
            "\(file):9:11: 'emit' must be one of changes, all, body, found 'everything'.",
            "\(file):10:9: 'id' must be a path like 'data.tickets' or 'items[0].id', found 'a..b'",
            "\(file):13:13: 'format' must be one of lines, ndjson, sse, found 'json'.",
            "\(file):14:13: 'on_eof' must be one of keep, exit, found 'stop'.",
        ]
        for line in expected {
            #expect(lines.contains(line), "missing: \(line)\nstderr:\n\(result.stderr)")
        }
    }

    @Test func validUpstreamSourcesAppearInThePlan() throws {
        let file = try GatewayBinary.temporaryFile(
            """
            sources:
              up: { type: sse, url: 'https://example.com/stream', read_timeout: 1m }
              api: { type: poll, url: 'http://127.0.0.1:9000/api', interval: 2s, items: data.tickets, id: id }
              logs: { type: stdin, format: ndjson, on_eof: exit }
            endpoints:
              - path: /all
                from: [up, api, logs]
            """)
        let result = try GatewayBinary.run(["check", file])
        #expect(result.status == 0, "\(result.stderr)")
        // The plan aligns its columns; compare with runs of spaces made one.
        let plan = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: "\n")
        #expect(plan.contains("up sse GET https://example.com/stream (reconnect 1s…30s, read timeout 1m)"), "\(plan)")
        #expect(plan.contains("api poll GET http://127.0.0.1:9000/api every 2s, changes by 'id' of 'data.tickets'"))
        #expect(plan.contains("logs stdin standard input, ndjson; at end of input: exit"))
    }
}
