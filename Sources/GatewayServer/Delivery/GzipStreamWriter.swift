import NIOCore

/// A gzip'd stream (`Content-Encoding: gzip`): one gzip member over the connection's life,
/// whose deflate blocks come from the loop's ``LoopCompressor`` and are shared between its
/// clients. Each write is flushed through the compressor, so no event waits for the next.
final class GzipStreamWriter: ClientWriter {
    private let transport: any StreamTransport
    private let compressor: LoopCompressor
    /// CRC-32 and length (mod 2³²) of everything sent, for the member's trailer.
    private var crc: UInt = 0
    private var length: UInt32 = 0
    /// The sequence this client continues the shared stream with; `nil` when out of step.
    private var sharedNext: UInt64?

    init(transport: any StreamTransport, compressor: LoopCompressor) {
        self.transport = transport
        self.compressor = compressor
        transport.write(text: GzipFraming.header)
    }

    func write(_ event: PublishedEvent) {
        let (segment, shared) = compressor.segment(for: event, continuing: sharedNext)
        sharedNext = shared ? event.sequence + 1 : nil
        send(segment)
    }

    func write(text bytes: ByteBuffer) {
        sharedNext = nil
        send(compressor.segment(for: bytes))
    }

    func writeHeartbeat() {
        sharedNext = nil
        send(compressor.heartbeat)
    }

    private func send(_ segment: DeflatedSegment) {
        crc = GzipFraming.combine(crc, with: segment)
        length &+= UInt32(truncatingIfNeeded: segment.inputLength)
        transport.write(chunk: segment.chunk, payloadOffset: segment.payloadOffset)
    }

    func flush() { transport.flush() }

    var isWritable: Bool { transport.isWritable }

    var bufferedBytes: Int { transport.bufferedBytes }

    func end() -> EventLoopFuture<Void> {
        transport.end(after: GzipFraming.trailer(crc: crc, length: length))
    }

    var closeFuture: EventLoopFuture<Void> { transport.closeFuture }

    func close() { transport.close() }
}

@available(*, unavailable)
extension GzipStreamWriter: Sendable {}
