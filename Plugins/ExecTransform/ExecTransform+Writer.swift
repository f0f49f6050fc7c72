import NIOConcurrencyHelpers
import GatewayPlugin

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ExecTransform {
    /// The writer thread: takes queued events in batches and writes them to the program's stdin
    /// as NDJSON lines. It owns the stdin pipe ends it has claimed and closes them.
    func runWriter(stopping: Wakeup, doorbell: Wakeup) {
        var stdin: Int32 = -1
        var generation = 0
        var batch: [Event] = []
        var bytes: [UInt8] = []
        var lineEnds: [Int] = []
        defer { if stdin >= 0 { close(stdin) } }
        while true {
            switch nextWriterStep(generation: generation, stdin: stdin, batch: &batch) {
            case .stop:
                return
            case .switchTo(let newGeneration, let newStdin):
                if stdin >= 0 { close(stdin) }
                stdin = newStdin
                generation = newGeneration
            case .wait:
                guard waitFor(doorbell.readFD, Int16(POLLIN), orWakeup: stopping) else { return }
                doorbell.drain()
            case .write:
                bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 20)
                lineEnds.removeAll(keepingCapacity: true)
                for event in batch {
                    NDJSON.append(event, to: &bytes)
                    lineEnds.append(bytes.count)
                }
                batch.removeAll(keepingCapacity: batch.capacity <= 65536)
                let outcome = writeAll(bytes, to: stdin, stopping: stopping)
                switch outcome {
                case .written:
                    break
                case .stopped:
                    return
                case .failed(let written):
                    // The program is gone (EPIPE) or its stdin is unusable: what did not get
                    // into the pipe is lost, and counted. The supervisor restarts the program.
                    let lost = lineEnds.count { $0 > written }
                    if lost > 0 { state.withLockedValue { $0.context }?.dropped(reason: "exec_down", count: lost) }
                    close(stdin)
                    stdin = -1
                }
            }
        }
    }

    enum WriteOutcome {
        case written
        case stopped
        case failed(written: Int)
    }

    /// Writes every byte to the non-blocking `fd`, waiting for room as needed.
    private func writeAll(_ bytes: [UInt8], to fd: Int32, stopping: Wakeup) -> WriteOutcome {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count > 0 {
                    offset += count
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    // The program is not reading fast enough: wait for room (or for stop()).
                    guard waitFor(fd, Int16(POLLOUT), orWakeup: stopping) else { return .stopped }
                    continue
                }
                return .failed(written: offset)
            }
            return .written
        }
    }
}
