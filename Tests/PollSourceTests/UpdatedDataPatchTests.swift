import GatewayPlugin
import Testing
import TestSupport

@testable import PollSource

extension PollSourceTests {
    @Test func updatedDataPatchSendsTheMergePatchFromThePreviousVersion() async throws {
        let api = try MockAPI(.json(#"{"tickets":[{"id":1,"title":"a","owner":{"name":"x","team":7},"tags":["p"]},{"id":2,"title":"b"}]}"#))
        defer { api.close() }
        let source = try makeSource("{ url: '\(api.server.url())', interval: 20ms, items: tickets, id: id, updated_data: patch }")
        let recorder = RecordingOutput()
        try await running(source, recorder) {
            #expect(await eventually { recorder.events.count >= 2 })
            api.set(.json(#"{"tickets":[{"id":1,"title":"a","owner":{"name":"x","team":8},"tags":["p","q"]},{"id":2}]}"#))
            #expect(await eventually { recorder.events.count >= 4 })
        }
        let updates = recorder.events.filter { $0.type == "updated" }
        #expect(updates.map(\.data) == [#"{"owner":{"team":8},"tags":["p","q"]}"#, #"{"title":null}"#])
        // Applied to the previous versions, the patches give the new ones.
        let first = try JSONValue.parse(#"{"id":1,"title":"a","owner":{"name":"x","team":7},"tags":["p"]}"#)
        #expect(try first.applying(mergePatch: JSONValue.parse(updates[0].data)).serialized == #"{"id":1,"title":"a","owner":{"name":"x","team":8},"tags":["p","q"]}"#)
    }

    @Test func updatedDataPatchNeedsChanges() {
        #expect(throws: (any Error).self) { try makeSource("{ url: 'http://127.0.0.1:1/', emit: all, updated_data: patch }") }
    }
}
