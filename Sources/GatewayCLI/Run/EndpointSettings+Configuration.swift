import GatewayConfig
import GatewayServer

extension EndpointSettings {
    /// What the server makes of one entry of `endpoints:` — for `gateway run` and, with the
    /// same steps and ids, `gateway test`.
    init(_ endpoint: EndpointConfig) {
        self.init(
            path: endpoint.path, sources: endpoint.from,
            pipeline: endpoint.pipeline.map { EndpointSettings.Step(name: $0.name, factory: $0.factory) },
            replay: endpoint.replay, ids: endpoint.ids == .source ? .source : .sequence, tokens: endpoint.auth?.tokens,
            resetEvent: endpoint.resetEvent,
            channel: endpoint.channel.map {
                ChannelSettings(key: $0.key, maxChannels: $0.maxChannels, replayBytes: $0.replayBytes)
            },
            log: endpoint.log == .cluster ? .cluster : .memory, replayAge: endpoint.replayAge,
            snapshot: endpoint.snapshot.map {
                SnapshotSettings(key: $0.key, deleteOn: Set($0.deleteOn), maxKeys: $0.maxKeys, endEvent: $0.endEvent)
            }, jwt: endpoint.auth?.jwt)
        fingerprint = endpoint.fingerprint
        pipelineFingerprint = endpoint.pipelineFingerprint
    }
}
