import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Slow clients, shutdown and start-up failures, from the wire.
    @Suite struct ClientPolicyTests {
        @Test func aClientThatNeverReadsIsCutOffAfterTheStallTimeoutWhileAHundredOthersReceiveEveryEventInOrder() throws {
            let count = 2000
            let padding = String(repeating: "x", count: 600)
            let gateway = try GatewayProcess(
                yaml: """
                    server:
                      client_buffer: 256KiB
                      max_clients: 200
                      stall_timeout: \(Int(TestTiming.seconds(3)))s
                    sources:
                      ticks: { type: generate, interval: 4ms, count: \(count), event: tick, data: 'n={{seq}} \(padding)' }
                    endpoints:
                      - { path: /ticks, from: [ticks], replay: \(count) }
                    """)
            defer { gateway.stop() }
            // The stalled client asks for a tiny receive window and then never reads.
            let stalled = try RawClient(port: gateway.port, receiveBuffer: 2048)
            stalled.get("/ticks", headers: ["Last-Event-ID: 0-0"])
            // An id of an earlier run replays everything held, so late joiners miss nothing.
            let readers = try (0..<100).map { _ in try RawClient(port: gateway.port) }
            for reader in readers { reader.get("/ticks", headers: ["Last-Event-ID: 0-0"]) }

            let last = Array("n=\(count) ".utf8)
            var done = Set<Int>()
            let deadline = Date().addingTimeInterval(TestTiming.seconds(90))
            var descriptors = readers.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            while done.count < readers.count && Date() < deadline {
                guard poll(&descriptors, nfds_t(descriptors.count), 200) > 0 else { continue }
                for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 && !done.contains(index) {
                    let reader = readers[index]
                    if !reader.readAvailable() { done.insert(index) }
                    let tail = reader.received.suffix(2048)
                    // The last event, then the end of its chunk.
                    if tail.containsSubsequence(last) && tail.suffix(4).elementsEqual([10, 10, 13, 10]) { done.insert(index) }
                }
            }
            for (index, reader) in readers.enumerated() {
                let sequences = reader.events.compactMap(\.sequence)
                let inOrder = sequences == Array(1...count)
                #expect(inOrder, "reader \(index) got \(sequences.count) events, from \(sequences.first ?? 0) to \(sequences.last ?? 0)")
                #expect(!reader.closedByPeer, "reader \(index) was disconnected")
            }
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains("gateway_disconnects_total{endpoint=\"/ticks\",reason=\"stalled\"} 1"))
            #expect(metrics.contains("gateway_disconnects_total{endpoint=\"/ticks\",reason=\"behind\"} 0"))
            // The stalled client finds its stream ended once it reads what the kernel held.
            stalled.readToEnd(timeout: 10)
            #expect(stalled.closedByPeer)
            #expect(stalled.events.count < count / 2)
        }

        @Test func gracefulShutdownClosesEveryStreamAndExitsZeroWithinASecond() throws {
            let gateway = try GatewayProcess(
                yaml: """
                    sources:
                      ticks: { type: generate, interval: 10ms, event: tick, data: 'n={{seq}}' }
                    endpoints:
                      - { path: /ticks, from: [ticks] }
                    """)
            defer { gateway.stop() }
            let clients = try (0..<5).map { _ in try RawClient(port: gateway.port) }
            for client in clients {
                client.get("/ticks")
                #expect(client.read(until: { $0.events.count >= 2 }, timeout: 5))
            }
            let (status, seconds) = gateway.terminate(signal: SIGTERM)
            #expect(status == 0)
            #expect(seconds < TestTiming.seconds(1))
            for client in clients {
                client.readToEnd(timeout: 2)
                #expect(client.closedByPeer)
                #expect(client.body.hasSuffix("\n\n"), "the stream ends on an event boundary")
                #expect(client.bodyIsComplete, "and with the last chunk")
            }
        }

        @Test func sigintStopsTheGatewayToo() throws {
            let gateway = try GatewayProcess(yaml: StreamTests.ticks())
            defer { gateway.stop() }
            let (status, seconds) = gateway.terminate(signal: SIGINT)
            #expect(status == 0)
            #expect(seconds < TestTiming.seconds(1))
        }

        @Test func aPortInUseExitsThreeWithAOneLineReason() throws {
            let first = try GatewayProcess(yaml: StreamTests.ticks())
            defer { first.stop() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: GatewayProcess.binary)
            process.arguments = ["run", first.folder.appendingPathComponent("gateway.yaml").path, "--listen", "127.0.0.1:\(first.port)"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 3)
            let lines = text.split(separator: "\n").filter { $0.hasPrefix("gateway:") }
            #expect(lines.count == 1)
            #expect(lines.first?.contains("cannot listen on 127.0.0.1:\(first.port): address already in use") == true)
        }
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool { ArraySlice(self).containsSubsequence(needle) }
}

extension ArraySlice where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        var index = startIndex
        while index + needle.count <= endIndex {
            if self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}

extension EndToEnd {
    @Suite struct RunCommandTests {
        @Test func anInvalidConfigurationExitsOneWithEveryProblemPositioned() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-run-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("bad.yaml").path
            try "sources:\n  a: { type: nope }\nendpoints:\n  - { path: /x, from: [missing] }\n".write(toFile: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: GatewayProcess.binary)
            process.arguments = ["run", file, "--listen", "127.0.0.1:0"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 1)
            #expect(text.contains("\(file):2:"))
            #expect(text.contains("\(file):4:"))
        }

        @Test func aMalformedListenOptionIsAUsageError() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: GatewayProcess.binary)
            process.arguments = ["run", "gateway.yaml", "--listen", "nonsense"]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 2)
        }
    }
}
