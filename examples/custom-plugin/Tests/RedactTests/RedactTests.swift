import GatewayConfig
import GatewayPlugin
import Redact
import Testing

@Suite struct RedactTests {
    func run(_ yaml: String, _ data: String) throws -> String? {
        let redact = try Redact.plugin.prepare(yaml: yaml).get().make()
        var output: [Event] = []
        redact.process(Event(event: "signup", data: data), into: &output)
        return output.first?.data
    }

    @Test func removesTheNamedFieldsAndKeepsTheRest() throws {
        let data = #"{"user":{"name":"Ada","email":"ada@example.com"},"card":{"number":"4111","brand":"visa"}}"#
        #expect(try run("fields: [data.user.email, data.card.number]", data) == #"{"user":{"name":"Ada"},"card":{"brand":"visa"}}"#)
    }

    @Test func masksInsteadWhenAMaskIsGiven() throws {
        let data = #"{"tokens":["a","b"],"password":"hunter2"}"#
        #expect(try run("{ fields: [data.password, 'data.tokens[1]'], mask: '***' }", data) == #"{"tokens":["a","***"],"password":"***"}"#)
    }

    @Test func dataThatIsNotJSONOrLacksTheFieldsPassesUnchanged() throws {
        #expect(try run("fields: [data.password]", "plain text") == "plain text")
        #expect(try run("fields: [data.password]", #"{ "name" : "Ada" }"#) == #"{ "name" : "Ada" }"#)
    }

    @Test func readsExactlyTheOptionsItDeclares() {
        let location = ConfigLocation(file: "test.yaml", line: 1, column: 1)
        let options = OptionsReader(node: ConfigNode(.mapping([]), at: location), context: "'redact'", diagnostics: Diagnostics())
        _ = Redact.plugin.prepare(options)
        #expect(options.audit.drift == [])
        #expect(options.audit.askedKeys == Set(Redact.options.map(\.key)))
    }

    @Test func badFieldsAreReportedWhereTheyAre() {
        guard case .failure(let errors) = Redact.plugin.prepare(yaml: "fields:\n  - data.ok\n  - password\nmaks: x\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(
            errors.problems.map(\.description) == [
                "test.yaml:3:5: 'fields' entries must be data.PATH (like data.user.email), found 'password'",
                "test.yaml:4:1: unknown key 'maks' in 'redact'. Did you mean 'mask'?",
            ])
    }
}
