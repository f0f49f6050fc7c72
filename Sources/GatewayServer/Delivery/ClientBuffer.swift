/// How `client_buffer` — every byte the gateway holds for one client beyond the shared log —
/// is shared out between the places those bytes wait.
///
/// - the kernel's send buffer: asked for a quarter, which Linux doubles to half (its
///   bookkeeping share), and which autotuning would otherwise grow to megabytes per socket;
/// - the channel's outbound queue: the rest, less one pull; past its high mark the client is
///   *behind* and stops being pushed;
/// - one pull from the log, written while the channel was still under its mark.
struct ClientBuffer: Sendable {
    /// `SO_SNDBUF` to ask for.
    let kernelSendBuffer: Int
    /// The channel's write-buffer high water mark (NIO's writability).
    let highWaterMark: Int
    /// The low water mark: a behind client is pulled again once its queue is below it.
    let lowWaterMark: Int
    /// The most bytes one pull writes before the channel is checked again.
    let pullBytes: Int

    init(clientBuffer: Int) {
        let budget = max(clientBuffer, 1024)
        kernelSendBuffer = max(budget / 4, 1024)
        pullBytes = max(budget / 8, 512)
        highWaterMark = max(budget / 2 - pullBytes, 256)
        lowWaterMark = max(highWaterMark / 2, 1)
    }
}
