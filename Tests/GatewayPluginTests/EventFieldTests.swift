import Foundation
import GatewayPlugin
import Testing

@Suite struct EventFieldTests {
    @Test func readsTheFourSpellingsAndRefusesTheRest() {
        #expect(EventField("event") == .event)
        #expect(EventField("id") == .id)
        #expect(EventField("data") == .data)
        #expect(EventField("data.user.name") == .dataPath(JSONPath("user.name")!))
        #expect(EventField("data[0].id") == .dataPath(JSONPath("[0].id")!))
        for text in ["data.", "data[", "data.a..b", "symbol", "Data", ""] { #expect(EventField(text) == nil, "\(text)") }
        #expect(EventField.looksLikeDataPath("data.a..b") && !EventField.looksLikeDataPath("symbol"))
        #expect(EventField("data.items[2]")?.description == "data.items[2]")
    }

    @Test func valuesAndKeysOfOneEvent() {
        let event = Event(id: "7", data: #"{"user":{"name":"ada"},"n":3}"#)
        #expect(EventField.event.key(of: event) == "message")
        #expect(EventField.id.key(of: event) == "7")
        #expect(EventField.data.key(of: event) == event.data)
        #expect(EventField("data.user.name")?.key(of: event) == "ada")
        #expect(EventField("data.n")?.key(of: event) == "3")
        #expect(EventField("data.missing")?.key(of: event) == nil)
        if case .missing = EventField("data.missing")!.value(in: event) {} else { Issue.record("expected missing") }
        if case .notJSON = EventField("data.a")!.value(in: Event(data: "plain")) {} else { Issue.record("expected notJSON") }
        #expect(EventField.id.key(of: Event(data: "x")) == nil)
    }

    @Test func theParsedDataFollowsTheDataOnEveryThread() async {
        // One thread's cached document never answers for other data.
        let documents = (0..<200).map { #"{"n":\#($0)}"# }
        for data in documents + documents.reversed() {
            #expect(ParsedData.document(of: data)?["n"]?.text == data.dropFirst(5).dropLast(1).description)
        }
        #expect(ParsedData.document(of: "not json") == nil)
        #expect(ParsedData.document(of: #"{"n":1}"#)?["n"]?.text == "1")
        // Threads keep their own entries.
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    (0..<500).allSatisfy { round in
                        let data = #"{"t":\#(index),"r":\#(round)}"#
                        return ParsedData.document(of: data)?["r"]?.text == "\(round)"
                            && ParsedData.document(of: data)?["t"]?.text == "\(index)"
                    }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
