import GatewayConfig
import GatewayPlugin
import Testing

@testable import ExecTransform

/// The example under examples/exec keeps working: its program through a real exec step.
@Suite(.timeLimit(.minutes(2))) struct ExampleProgramTests {
    static let repository: String = {
        let file = String(#filePath)
        return String(file[..<file.firstRange(of: "/Tests/")!.lowerBound])
    }()

    @Test func theEnrichExampleAddsEachSymbolsChange() async throws {
        let exec = execStep(.argv(["python3", "\(Self.repository)/examples/exec/enrich.py"]))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        exec.feed([
            Event(event: "quote", data: #"{"symbol":"ACME","price":100}"#),
            Event(event: "quote", data: #"{"symbol":"ACME","price":97}"#),
            Event(id: "9", data: "not a quote"),
        ])
        #expect(await eventually { recorder.emitted.count >= 3 })
        #expect(
            recorder.emitted == [
                Event(event: "quote", data: #"{"symbol":"ACME","price":100,"change":0,"direction":"flat"}"#),
                Event(event: "quote", data: #"{"symbol":"ACME","price":97,"change":-3,"direction":"down"}"#),
                Event(id: "9", data: "not a quote"),
            ])
        #expect(recorder.dropped("invalid_output") == 0)
    }
}
