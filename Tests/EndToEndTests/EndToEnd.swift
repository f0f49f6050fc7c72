import Testing

/// Every end-to-end suite, run one test at a time: each starts real gateway processes and
/// some push hundreds of thousands of events through loopback, so running them side by side
/// on a small machine would measure the machine, not the gateway.
@Suite(.serialized) enum EndToEnd {}
