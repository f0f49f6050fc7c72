import GatewayConfig
import GatewayPlugin
import RenameTransform
import Testing

@Suite struct RenameTransformTests {
    func renamed(_ yaml: String, _ events: [Event]) throws -> [String?] {
        let rename = try RenameTransform.plugin.prepare(yaml: yaml).get().make()
        var output: [Event] = []
        for event in events { rename.process(event, into: &output) }
        return output.map(\.event)
    }

    @Test func renamesListedTypesAndPassesOthersUnchanged() throws {
        let events = [Event(event: "quote", data: "1"), Event(event: "trade", data: "2"), Event(event: "alert", data: "3")]
        #expect(try renamed("{ quote: price, trade: deal }", events) == ["price", "deal", "alert"])
    }

    @Test func messageNamesTheDefaultTypeOnEitherSide() throws {
        #expect(try renamed("{ message: tick }", [Event(data: "1")]) == ["tick"])
        #expect(try renamed("{ tick: message }", [Event(event: "tick", data: "1")]) == [nil])
    }

    @Test func keepsIdAndDataIntact() throws {
        let rename = try RenameTransform.plugin.prepare(yaml: "{ a: b }").get().make()
        var output: [Event] = []
        rename.process(Event(id: "7", event: "a", data: "x\ny", retry: 5), into: &output)
        #expect(output == [Event(id: "7", event: "b", data: "x\ny", retry: 5)])
    }

    @Test func badOptionsAreReportedWithPositions() {
        guard case .failure(let errors) = RenameTransform.plugin.prepare(yaml: "quote: [price]\ntrade: \"\"\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(
            errors.problems.map(\.description) == [
                "test.yaml:1:8: 'rename.quote' must be a new event type (one line of text)",
                "test.yaml:2:8: 'rename.trade' must be a new event type (one line of text)",
            ])
        guard case .failure(let scalarErrors) = RenameTransform.plugin.prepare(yaml: "price") else {
            Issue.record("expected a failure")
            return
        }
        #expect(scalarErrors.problems.count == 1)
    }
}
