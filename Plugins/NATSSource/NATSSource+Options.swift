import GatewayPlugin

extension NATSSource {
    /// Reads `subject`, `stream`, `deliver`, `event`, `id_header` and the connection (`url` and
    /// its credentials, or `cluster.nats`), reporting every mistake at its place.
    init?(options: OptionsReader) {
        let subject = Self.checked(options, key: "subject", what: "subject", like: "orders.> or orders.*.created") {
            SubjectSyntax.problem(inSubject: $0)
        }
        let stream = Self.checked(options, key: "stream", what: "stream name", like: "ORDERS") { SubjectSyntax.problem(inStreamName: $0) }
        var deliver: DeliverPolicy? = .new
        if let deliverNode = options.node("deliver") {
            if options.node("stream") == nil {
                options.report(
                    "'deliver' goes with 'stream': a plain 'subject' reads core NATS, which keeps nothing to deliver from; "
                        + "add 'stream: NAME' or remove 'deliver'", at: deliverNode.location)
                deliver = nil
            } else {
                deliver = options.choice("deliver", of: DeliverPolicy.allCases.map(\.rawValue), default: "new").flatMap(DeliverPolicy.init)
            }
        }
        if options.node("subject") == nil && options.node("stream") == nil {
            options.report("\(options.context) needs 'subject' (like orders.>), or 'stream' (a JetStream stream's name) to read a stream")
        }
        let event = options.string("event")
        if let event, event.isEmpty || event.contains(where: \.isNewline) {
            options.report("'event' must be a non-empty single-line type, found '\(event)'", at: options.node("event")?.location)
        }
        let idHeader = Self.checked(options, key: "id_header", what: "header name", like: "Order-Id") { SubjectSyntax.problem(inHeaderName: $0) }
        let usesCluster = options.node["url"].map(\.isNull) ?? true
        let connection = options.natsConnectionOrShared()
        guard options.isValid, let deliver, let connection else { return nil }
        let mode: Mode
        if let stream {
            mode = .stream(stream, subject: subject, deliver: deliver)
        } else if let subject {
            mode = .subject(subject)
        } else {
            return nil
        }
        self.init(
            mode: mode, connection: connection, usesClusterConnection: usesCluster, event: event,
            idHeader: idHeader ?? Self.defaultIDHeader)
    }

    /// The string option `key` when present and valid; a problem at its place when `problem`
    /// finds one.
    private static func checked(
        _ options: OptionsReader, key: String, what: String, like example: String, problem: (String) -> String?
    ) -> String? {
        guard let node = options.node(key), let text = options.string(key) else { return nil }
        if let problem = problem(text) {
            options.report("'\(key)' is not a valid \(what): '\(text)' \(problem); write one like \(example)", at: node.location)
            return nil
        }
        return text
    }
}
