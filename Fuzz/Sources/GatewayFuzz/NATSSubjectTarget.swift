import GatewayCluster

/// Any bytes as the subject of a message in a clustered channel endpoint's stream — anyone who
/// may publish on the cluster's NATS can put one there — and as a stream's name: a channel is
/// found or refused, never a trap, and a channel found is named by that same token again.
func fuzzNATSSubject(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let prefix = JetStreamNames.subject(cluster: "fuzz", endpoint: "/rooms/{room}")
    if let channel = JetStreamNames.channel(subject: prefix + "." + text, prefix: prefix) {
        precondition(!channel.isEmpty, "a channel has a name")
        let token = JetStreamNames.channelToken(channel)
        precondition(JetStreamNames.channel(fromToken: Substring(token)) == channel, "a channel's token names it again")
    }
    if let parsed = JetStreamNames.parseStream(text) {
        _ = JetStreamNames.stream(cluster: parsed.cluster, endpoint: parsed.endpoint)
    }
    return 0
}
