import GatewayPlugin

extension NATSSource {
    /// The options `init?(options:)` reads: what `gateway plugins nats` and the README show.
    public static let options: [OptionSpec] = [
        OptionSpec(
            "subject", .string, default: .required("without `stream`"),
            "the subject to read; `*` matches one token, `>` the rest (whole tokens, `>` last)"),
        OptionSpec("stream", .string, "a JetStream stream to read with an ordered consumer instead of a live subscription"),
        OptionSpec(
            "deliver", .choice(DeliverPolicy.allCases.map(\.rawValue)), default: "new",
            "with `stream`: `new` (messages stored from now on), `all` (every message the stream holds, then new ones), "
                + "`last` (the newest message matching `subject`, then new ones)"),
        OptionSpec(
            "url", .shape("URL or list"), default: .none(meaning: "`cluster.nats`"),
            "the NATS servers: a `nats://` or `tls://` URL, a list, or a comma-separated string like `NATS_URL`; "
                + "without `url` the source uses the top-level `cluster.nats`, credentials and TLS included"),
        OptionSpec("token", .string, "with `url`: an authorization token (not with `user`)"),
        OptionSpec("user", .string, "with `url`: a user name, given with `password`"),
        OptionSpec("password", .string, "with `url`: the user's password"),
        OptionSpec(
            "tls",
            [
                OptionSpec("ca", .string, default: .none(meaning: "the system's roots"), "with `url`: the CA file that verifies the server"),
                OptionSpec("cert", .string, "with `url`: a client certificate file, given with `key`"),
                OptionSpec("key", .string, "with `url`: the client certificate's private key file"),
            ]),
        OptionSpec("event", .string, default: .none(meaning: "the `Gateway-Event` header"), "the type of every event, whatever the headers say"),
        OptionSpec("id_header", .string, default: "Gateway-Id", "the header that gives each event's id"),
    ]

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
        let idHeader = Self.checked(options, key: "id_header", default: Self.defaultIDHeader, what: "header name", like: "Order-Id") {
            SubjectSyntax.problem(inHeaderName: $0)
        }
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

    /// The string option `key` (or `defaultValue` when absent) when valid; a problem at its
    /// place when `problem` finds one.
    private static func checked(
        _ options: OptionsReader, key: String, default defaultValue: String? = nil, what: String, like example: String,
        problem: (String) -> String?
    ) -> String? {
        guard let text = options.string(key, default: defaultValue) else { return nil }
        if let problem = problem(text) {
            options.report("'\(key)' is not a valid \(what): '\(text)' \(problem); write one like \(example)", at: options.node(key)?.location)
            return nil
        }
        return text
    }
}
