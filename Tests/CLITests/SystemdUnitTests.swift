import Foundation
import Testing

/// `examples/systemd/gateway.service` stays a unit systemd accepts, running commands the binary has.
@Suite(.serialized) struct SystemdUnitTests {
    static let unit = RelayExample.repository.appendingPathComponent("examples/systemd/gateway.service")
    static let hasSystemdAnalyze = FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")

    /// The unit's `KEY=value` lines for `key`.
    static func values(_ key: String) throws -> [String] {
        try String(contentsOf: unit, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.hasPrefix(key + "=") ? String(line.dropFirst(key.count + 1)) : nil
        }
    }

    @Test func itRunsTheGatewayOnItsConfigurationReloadsWithSIGHUPAndIsHardened() throws {
        #expect(try Self.values("ExecStart") == ["/usr/local/bin/gateway run /etc/gateway/gateway.yaml"])
        #expect(try Self.values("ExecReload").last == "/bin/kill -HUP $MAINPID")
        for (key, value) in [
            ("DynamicUser", "yes"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
            ("PrivateTmp", "yes"), ("Restart", "on-failure"), ("ConfigurationDirectory", "gateway"),
        ] {
            #expect(try Self.values(key) == [value], "\(key)=\(value)")
        }
        let files = try #require(try Self.values("LimitNOFILE").first.flatMap { Int($0) })
        #expect(files >= 65536)
    }

    @Test func theCommandsItRunsAreOnesTheBinaryHas() throws {
        // `check` of ExecReload, on a valid file, the way systemd runs it.
        let file = try GatewayBinary.temporaryFile("sources:\n  t: { type: generate, interval: 1s }\nendpoints:\n  - { path: /t, from: [t] }\n")
        let reload = try #require(try Self.values("ExecReload").first)
        let arguments = reload.split(separator: " ").dropFirst().map { $0 == "/etc/gateway/gateway.yaml" ? file : String($0) }
        #expect(try GatewayBinary.run(arguments).status == 0)
        #expect(try GatewayBinary.run(["help", "run"]).stdout.contains("--log-format"))
    }

    @Test(.enabled(if: hasSystemdAnalyze, "needs systemd-analyze"))
    func systemdAnalyzeVerifyFindsNothingToSay() throws {
        // The unit as installed, with the binary where this build put it (verify checks it exists).
        let text = try String(contentsOf: Self.unit, encoding: .utf8).replacingOccurrences(of: "/usr/local/bin/gateway", with: GatewayBinary.path)
        let copy = try GatewayBinary.temporaryFile(text, name: "gateway.service")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", copy]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && said.isEmpty, "\(said)")
    }
}
