import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Bursts, slow readers and the end of input, on the wire (SPEC §3 "slow clients").
    @Suite struct DeliveryTests {
        /// `count` lines `n=1 xxx…`, `n=2 xxx…`, … of about `size` bytes each, written to `pipe`
        /// as fast as the gateway reads them, on a thread of their own.
        static func feed(_ pipe: Pipe, from first: Int = 1, count: Int, size: Int, thenClose: Bool = false) -> Thread {
            let padding = String(repeating: "x", count: max(0, size - 12))
            let handle = pipe.fileHandleForWriting
            let thread = Thread {
                var text = ""
                for number in first..<(first + count) {
                    text += "n=\(number) \(padding)\n"
                    if text.utf8.count > 1 << 20 {
                        handle.write(Data(text.utf8))
                        text = ""
                    }
                }
                handle.write(Data(text.utf8))
                if thenClose { try? handle.close() }
            }
            thread.start()
            return thread
        }

        @Test func aBurstOf10MBCutsOffNoReaderOfSmallBuffersAndEveryReaderGetsEveryEventInOrder() throws {
            let input = Pipe()
            let gateway = try GatewayProcess(
                yaml: """
                    server:
                      client_buffer: 64KiB
                    sources:
                      lines: { type: stdin, format: lines, event: line }
                    endpoints:
                      - { path: /lines, from: [lines], replay: 5000 }
                    """,
                standardInput: input)
            defer { gateway.stop() }
            let readers = try (0..<50).map { _ in try SequenceReader(port: gateway.port, path: "/lines") }
            Thread.sleep(forTimeInterval: 0.5)
            // 2,500 events of 4 KiB at once, then a steady stream.
            _ = Self.feed(input, count: 2500, size: 4096)
            SequenceReader.readAll(readers, until: 2500, timeout: 120)
            for second in 0..<10 {
                _ = Self.feed(input, from: 2501 + second * 10, count: 10, size: 200)
                SequenceReader.readAll(readers, until: 2510 + second * 10, timeout: 0.1)
            }
            SequenceReader.readAll(readers, until: 2600, timeout: 30)
            for (index, reader) in readers.enumerated() {
                #expect(reader.last == 2600 && !reader.outOfOrder, "reader \(index) reached \(reader.last), in order: \(!reader.outOfOrder)")
                #expect(!reader.closedByPeer, "reader \(index) was cut off")
            }
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains("gateway_disconnects_total{endpoint=\"/lines\",reason=\"behind\"} 0"))
            #expect(metrics.contains("gateway_disconnects_total{endpoint=\"/lines\",reason=\"stalled\"} 0"))
        }

        @Test func twoHundredStalledClientsCostNoMoreThanTheirBuffersDuringA50MBBurst() throws {
            let input = Pipe()
            let clientBuffer = 64 * 1024
            let replay = 1000
            let eventSize = 10 * 1024
            let gateway = try GatewayProcess(
                yaml: """
                    server:
                      client_buffer: 64KiB
                      stall_timeout: 10m
                    sources:
                      lines: { type: stdin, format: lines, event: line }
                    endpoints:
                      - { path: /lines, from: [lines], replay: \(replay) }
                    """,
                standardInput: input)
            defer { gateway.stop() }
            let stalled = try (0..<200).map { _ in try RawClient(port: gateway.port, receiveBuffer: 4096) }
            for client in stalled { client.get("/lines") }
            let watcher = try SequenceReader(port: gateway.port, path: "/lines")
            Thread.sleep(forTimeInterval: 1)
            let before = gateway.residentBytes
            _ = Self.feed(input, count: 5000, size: eventSize)
            var peak = before
            let deadline = Date().addingTimeInterval(120)
            while watcher.last < 5000 && !watcher.closedByPeer && Date() < deadline {
                SequenceReader.readAll([watcher], until: watcher.last + 100, timeout: 0.05)
                peak = max(peak, gateway.residentBytes)
            }
            #expect(watcher.last == 5000 && !watcher.outOfOrder, "a reader beside them got every event (\(watcher.last))")
            // The bound of SPEC §3: each client's buffer, the log, and a fixed allowance for the
            // allocator's slack and the pipeline's batches in flight.
            let bound = 200 * clientBuffer + replay * (eventSize + 64) + 48 * 1024 * 1024
            #expect(peak - before < bound, "grew \((peak - before) >> 20) MiB; bound \(bound >> 20) MiB")
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains("gateway_clients{endpoint=\"/lines\"} 201"), "the stalled clients are kept until stall_timeout")
        }

        @Test func onEOFExitStopsWithStatusZeroOnceEveryClientHasTheLastEvent() throws {
            let input = Pipe()
            let gateway = try GatewayProcess(
                yaml: """
                    server:
                      client_buffer: 16KiB
                    sources:
                      lines: { type: stdin, format: lines, event: line, on_eof: exit }
                    endpoints:
                      - { path: /lines, from: [lines], replay: 5000 }
                    """,
                standardInput: input)
            defer { gateway.stop() }
            let readers = try (0..<3).map { _ in try RawClient(port: gateway.port) }
            for reader in readers {
                reader.get("/lines")
                #expect(reader.read(until: { $0.body.contains(":ok") }, timeout: 5))
            }
            _ = Self.feed(input, count: 3000, size: 300, thenClose: true)
            for reader in readers { reader.readToEnd(timeout: 60) }
            let deadline = Date().addingTimeInterval(10)
            while gateway.process.isRunning && Date() < deadline { usleep(10_000) }
            #expect(!gateway.process.isRunning)
            #expect(gateway.process.terminationStatus == 0, "\(gateway.log)")
            for reader in readers {
                #expect(reader.events.compactMap(\.sequence) == Array(1...3000))
                #expect(reader.bodyIsComplete, "each stream ends with the last chunk")
            }
        }
    }
}
