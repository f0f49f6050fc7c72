import GatewayPlugin

/// A pipeline step's transform seen from outside: it forwards everything to the transform
/// and counts the events the step was given, so ``PipelineHarness`` knows which steps that
/// answer later (from their own threads) it must wait for.
///
/// Transparent by design: `holdsEvents` is the transform's own, so the ``Pipeline`` counts
/// drops exactly as it does for the transform alone.
final class ObservedTransform: Transform {
    let inner: any Transform
    /// Events handed to ``process(_:into:)`` so far.
    private(set) var received = 0

    init(_ inner: any Transform) {
        self.inner = inner
    }

    func process(_ event: Event, into output: inout [Event]) {
        received += 1
        inner.process(event, into: &output)
    }

    func start(_ context: TransformContext) { inner.start(context) }

    func stop() { inner.stop() }

    var holdsEvents: Bool { inner.holdsEvents }
}
