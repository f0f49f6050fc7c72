import GatewayPlugin
import NIOCore
import NIOEmbedded
import Testing

@testable import GatewayServer

/// Asks for a timer in `start` and emits one event per tick. Used on one embedded loop only.
private final class Ticking: Transform, @unchecked Sendable {
    var ticks = 0

    func process(_ event: Event, into output: inout [Event]) { output.append(event) }

    func start(_ context: TransformContext) {
        context.repeatEvery(.milliseconds(100)) { [self] in
            ticks += 1
            context.emit([Event(data: "tick \(ticks)")])
        }
    }
}

@Suite struct TransformTimerTests {
    @Test func aTransformsTimerRunsOnItsEndpointsExecutorKeepsToScheduleAndStopsWithIt() throws {
        let loop = EmbeddedEventLoop()
        let ticking = Ticking()
        let endpoint = testEndpoint("/t", steps: [Pipeline.Step(name: "ticking", transform: ticking)], loop: loop)
        _ = endpoint.startTransforms()
        loop.run()
        loop.advanceTime(by: .milliseconds(99))
        #expect(ticking.ticks == 0)
        loop.advanceTime(by: .milliseconds(251))
        #expect(ticking.ticks == 3, "ticks at 100, 200 and 300 ms")
        // What a tick emits goes through the endpoint like any event.
        loop.run()
        #expect((endpoint.log as? MemoryLog)?.newestSequence == 3)

        _ = endpoint.stopTransforms()
        loop.run()
        loop.advanceTime(by: .seconds(1))
        #expect(ticking.ticks == 3, "no tick after the endpoint stopped its transforms")
        try loop.syncShutdownGracefully()
    }
}
