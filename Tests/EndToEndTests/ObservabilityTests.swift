import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// What an operator reads: `/metrics` as Prometheus parses it, `--log-format json`, and no
    /// secret in any log line (SPEC §7, §8).
    @Suite struct ObservabilityTests {
        static let yaml = """
            sources:
              ticks: { type: generate, interval: 20ms, event: tick, data: 'n={{seq}}' }
            endpoints:
              - { path: /ticks, from: [ticks] }
              - { path: /private, from: [ticks], auth: { tokens: ["SECRET123"] } }
              - { path: "/by/{type}", from: [ticks], channel: event }
            """

        @Test func metricsParseWithPrometheusOwnParserEveryFamilyHasHelpAndDeliveriesAreObserved() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml)
            defer { gateway.stop() }
            let broadcast = try RawClient(port: gateway.port)
            broadcast.get("/ticks")
            let channel = try RawClient(port: gateway.port)
            channel.get("/by/tick")
            for client in [broadcast, channel] {
                #expect(client.read(until: { $0.events.count >= 5 }, timeout: 10), "the client got events")
            }
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            let report = try PrometheusParser.check(metrics)
            #expect(report.error == nil, "\(report.error ?? "")")
            #expect(report.families >= 12, "families parsed: \(report.families)")
            #expect(report.withoutHelp.isEmpty, "families without help: \(report.withoutHelp)")
            for endpoint in ["/ticks", "/by/{type}"] {
                #expect(report.deliveryCount[endpoint] ?? 0 > 0, "gateway_delivery_seconds observations: \(report.deliveryCount)")
            }
            #expect(report.deliveryCount["/private"] == 0, "no client, nothing delivered")
        }

        @Test func logFormatJSONWritesOneJSONObjectPerLine() throws {
            let gateway = try GatewayProcess(yaml: Self.yaml, extraArguments: ["--log-format", "json", "--log-level", "debug"])
            defer { gateway.stop() }
            do {
                let client = try RawClient(port: gateway.port)
                client.get("/ticks")
                #expect(client.read(until: { $0.events.count >= 1 }, timeout: 10))
            }
            // The client is gone: wait for the stream's close to be logged.
            let deadline = Date().addingTimeInterval(10)
            while !gateway.log.contains("stream closed") && Date() < deadline { usleep(20_000) }
            let lines = gateway.log.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.count >= 3)
            var messages: [String] = []
            for line in lines {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object != nil, "not a JSON object: \(line)")
                guard let object else { continue }
                for key in ["timestamp", "level", "label", "message"] { #expect(object[key] is String, "\(key) in \(line)") }
                messages.append(object["message"] as? String ?? "")
                if object["message"] as? String == "stream closed" {
                    #expect(object["endpoint"] as? String == "/ticks")
                    #expect(object["level"] as? String == "debug")
                }
            }
            #expect(messages.contains("listening") && messages.contains("stream opened") && messages.contains("stream closed"))
        }

        @Test(arguments: ["text", "json"])
        func accessTokensAndTicketsNeverAppearInTheLog(format: String) throws {
            // An upstream that refuses connections, with a token in its URL: the source logs its URL
            // with every failure, so the log handler's redaction is what keeps the token out.
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      ticks: { type: generate, interval: 20ms, event: tick, data: 'n={{seq}}' }
                      up: { type: sse, url: 'http://127.0.0.1:1/s?access_token=SECRET456&x=1' }
                    endpoints:
                      - { path: /private, from: [ticks], auth: { tokens: ["SECRET123"] } }
                      - { path: /upstream, from: [up] }
                    """,
                extraArguments: ["--log-level", "debug", "--log-format", format])
            defer { gateway.stop() }
            do {
                let right = try RawClient(port: gateway.port)
                right.get("/private?access_token=SECRET123")
                #expect(right.read(until: { $0.events.count >= 1 }, timeout: 10) && right.status == 200)
                let byHeader = try RawClient(port: gateway.port)
                byHeader.get("/private", headers: ["Authorization: Bearer SECRET123"])
                #expect(byHeader.read(until: { $0.events.count >= 1 }, timeout: 10) && byHeader.status == 200)
                #expect(try fetch(port: gateway.port, get: "/private?access_token=WRONGSECRET789").status == 403)
                #expect(try fetch(port: gateway.port, get: "/private?ticket=SECRET123").status == 401)
                #expect(try fetch(port: gateway.port, get: "/private", headers: ["Authorization: Bearer WRONGSECRET789"]).status == 403)
            }
            let deadline = Date().addingTimeInterval(10)
            while !(gateway.log.contains("stream closed") && gateway.log.contains("[redacted]")) && Date() < deadline {
                usleep(20_000)
            }
            let log = gateway.log
            #expect(log.contains("stream opened") && log.contains("stream closed"), "the debug lines are there:\n\(log)")
            #expect(log.contains("access_token=[redacted]"), "the upstream's URL is logged, redacted:\n\(log)")
            for secret in ["SECRET123", "SECRET456", "WRONGSECRET789"] {
                #expect(!log.contains(secret), "\(secret) is in the log:\n\(log)")
            }
        }
    }
}

/// Runs Python's `prometheus_client` text parser (the Prometheus project's client library) over
/// an exposition and reports what it found.
enum PrometheusParser {
    struct Report: Decodable {
        /// The parser's error, when it refused the text.
        var error: String?
        var families = 0
        var withoutHelp: [String] = []
        /// `gateway_delivery_seconds_count` by endpoint.
        var deliveryCount: [String: Double] = [:]
    }

    static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        report = {"families": 0, "withoutHelp": [], "deliveryCount": {}}
        try:
            for family in text_string_to_metric_families(sys.stdin.read()):
                report["families"] += 1
                if not family.documentation.strip():
                    report["withoutHelp"].append(family.name)
                for sample in family.samples:
                    if sample.name == "gateway_delivery_seconds_count":
                        report["deliveryCount"][sample.labels.get("endpoint", "")] = sample.value
        except Exception as error:
            report["error"] = repr(error)
        print(json.dumps(report))
        """

    /// A python3 that imports `prometheus_client`: Debian's, where `python3-prometheus-client`
    /// installs it (scripts/bootstrap.sh --test), else the one on PATH.
    static func python() throws -> String {
        for candidate in ["/usr/bin/python3", "python3"] {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = [candidate, "-c", "import prometheus_client"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return candidate }
        }
        throw GatewayProcessError(message: "no python3 imports prometheus_client: run scripts/bootstrap.sh --test")
    }

    static func check(_ exposition: String) throws -> Report {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [try python(), "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(Report.self, from: data)
    }
}
