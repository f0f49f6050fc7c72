import GatewayPlugin
import Testing

/// A reader with declared options: the declaration decides which keys are known, and every read
/// that disagrees with it is recorded in the audit.
@Suite struct OptionDeclarationTests {
    func at(_ line: Int, _ column: Int = 3) -> ConfigLocation { ConfigLocation(file: "t.yaml", line: line, column: column) }

    func scalar(_ text: String, _ line: Int) -> ConfigNode { ConfigNode(.scalar(text, isPlain: true), at: at(line, 10)) }

    func map(_ pairs: [(String, ConfigNode)], line: Int = 1) -> ConfigNode {
        ConfigNode(.mapping(pairs.map { ConfigEntry(key: $0.0, keyLocation: at($0.1.location.line), value: $0.1) }), at: at(line, 1))
    }

    static let declared: [OptionSpec] = [
        OptionSpec("interval", .duration(minimum: .milliseconds(10)), default: "5s", "time between polls"),
        OptionSpec("method", .choice(["GET", "POST"]), default: "GET", "the request method"),
        OptionSpec("body", .string, "the request body, with POST"),
        OptionSpec("reconnect", [OptionSpec("initial", .duration(minimum: .zero), default: "1s", "the first delay")]),
    ]

    @Test func aKeyThatIsNotDeclaredIsUnknownWithTheClosestDeclaredKeySuggested() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(
            node: map([("intervall", scalar("1s", 2)), ("type", scalar("poll", 3))]), context: "source 'a'", diagnostics: diagnostics,
            handledKeys: ["type"])
        options.declare(Self.declared)
        _ = options.duration("interval", default: .seconds(5), minimum: .milliseconds(10))
        options.finish()
        #expect(diagnostics.problems.map(\.description) == ["t.yaml:2:3: unknown key 'intervall' in source 'a'. Did you mean 'interval'?"])
        #expect(options.audit.drift == [])
    }

    @Test func aDeclaredKeyThePluginLeftUnreadIsNotUnknown() {
        // `body` is read only with POST, say: writing it with GET is the plugin's to report, not an unknown key.
        let diagnostics = Diagnostics()
        let options = OptionsReader(node: map([("body", scalar("{}", 2))]), context: "source 'a'", diagnostics: diagnostics)
        options.declare(Self.declared)
        options.finish()
        #expect(diagnostics.problems.isEmpty)
    }

    @Test func readsThatDisagreeWithTheDeclarationAreRecorded() {
        let options = OptionsReader(node: map([]), context: "source 'a'", diagnostics: Diagnostics())
        options.declare(Self.declared)
        _ = options.duration("interval", default: .seconds(2), minimum: .milliseconds(10))
        _ = options.choice("method", of: ["GET", "POST", "PUT"], default: "GET")
        _ = options.int("body")
        _ = options.string("headers")
        _ = options.node("body")
        #expect(
            options.audit.drift == [
                "'interval' is read with default 2s but declared with default `5s`",
                "'method' is read as one of GET, POST, PUT but declared as one of GET, POST",
                "'body' is read as an integer but declared as string",
                "'headers' is read but not declared",
            ])
        #expect(options.audit.askedKeys == ["interval", "method", "body", "headers"])
    }

    @Test func aNestedMapTakesItsDeclaredOptionsAndRecordsDottedKeys() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(
            node: map([("reconnect", map([("intial", scalar("2s", 3)), ("initial", scalar("2s", 4))], line: 2))]), context: "source 'a'",
            diagnostics: diagnostics)
        options.declare(Self.declared)
        let reconnect = options.nested("reconnect")
        #expect(reconnect?.duration("initial", default: .seconds(1)) == .seconds(2))
        _ = reconnect?.duration("max", default: .seconds(30))
        reconnect?.finish()
        options.finish()
        #expect(diagnostics.problems.map(\.description) == ["t.yaml:3:3: unknown key 'intial' in 'reconnect'. Did you mean 'initial'?"])
        #expect(options.audit.askedKeys == ["reconnect", "reconnect.initial", "reconnect.max"])
        #expect(options.audit.drift == ["'reconnect.max' is read but not declared"])
    }

    @Test func withoutDeclarationsTheKeysAskedForAreTheKnownOnesAndNothingIsChecked() {
        let diagnostics = Diagnostics()
        let options = OptionsReader(node: map([("mask", scalar("*", 2)), ("fields", scalar("a", 3))]), context: "'redact'", diagnostics: diagnostics)
        options.declare([])
        _ = options.stringList("fields")
        options.finish()
        #expect(diagnostics.problems.map(\.message) == ["unknown key 'mask' in 'redact'."])
        #expect(options.audit.drift == [])
    }

    @Test func aRegisteredPluginDeclaresItsOptionsBeforeItReads() {
        let plugin = TransformPlugin(name: "t", summary: "", options: Self.declared) { options in
            _ = options.string("bodyy")
            return nil
        }
        let options = OptionsReader(node: map([]), context: "'t'", diagnostics: Diagnostics())
        _ = plugin.prepare(options)
        #expect(options.declared == Self.declared)
        #expect(options.audit.drift == ["'bodyy' is read but not declared"])
    }

    @Test func tablesListANestedMapAsDottedKeys() {
        #expect(Self.declared.flatMap(\.rows).map(\.key) == ["interval", "method", "body", "reconnect.initial"])
        #expect(OptionSpec("x", .int(1...10), "").type.allowed == "1…10")
        #expect(OptionSpec("x", .int(1...Int.max), "").type.allowed == "≥ 1")
        #expect(OptionSpec("x", .size(minimum: 64), "").type.allowed == "≥ 64B")
        #expect(OptionDefault.required("without `stream`").markdown == "required without `stream`")
        #expect(OptionDefault.none(meaning: "the whole body").markdown == "none (the whole body)")
        #expect(("5s" as OptionDefault).markdown == "`5s`")
    }
}
