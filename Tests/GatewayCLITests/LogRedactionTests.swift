import Logging
import Testing

@testable import GatewayCLI

@Suite struct LogRedactionTests {
    @Test(arguments: [
        ("GET /quotes?access_token=SECRET123 HTTP/1.1", "GET /quotes?access_token=[redacted] HTTP/1.1"),
        ("/orders?a=1&ticket=SECRET123&b=2", "/orders?a=1&ticket=[redacted]&b=2"),
        ("/x?ACCESS_TOKEN=SECRET123#frag", "/x?ACCESS_TOKEN=[redacted]#frag"),
        ("url=http://h/s?token=SECRET123, next", "url=http://h/s?token=[redacted], next"),
        ("id_token=SECRET123;refresh_token=SECRET456", "id_token=[redacted];refresh_token=[redacted]"),
        (#"{"access_token": "SECRET123", "n": 1}"#, #"{"access_token": "[redacted]", "n": 1}"#),
        (#"{"ticket":"SEC\"RET123"}"#, #"{"ticket":"[redacted]"}"#),
        ("Authorization: Bearer SECRET123", "Authorization: Bearer [redacted]"),
        ("authorization=Basic SECRET123", "authorization=Basic [redacted]"),
        ("sent bearer SECRET123 upstream", "sent bearer [redacted] upstream"),
        ("access_token=SECRET123 and ticket='SECRET456'", "access_token=[redacted] and ticket='[redacted]'"),
    ])
    func secretValuesAreMasked(input: String, expected: String) {
        #expect(LogRedaction.redact(input) == expected)
    }

    @Test(arguments: [
        "listening",
        "unexpected token: '{' at 3",
        "tokens=3 tickets=4",
        "ticket_id=7",
        "access_token=&x=1",
        "a token or a ticket, then Bearer",
        "tokenize this",
        "",
    ])
    func textWithoutASecretIsLeftAsItIs(input: String) {
        #expect(LogRedaction.redact(input) == input)
    }

    @Test func metadataKeysThatNameSecretsAreMaskedAndEveryValueIsRedacted() {
        let metadata: Logger.Metadata = [
            "auth.token": "SECRET123", "Authorization": "Bearer SECRET123", "nats.password": "p",
            "upstream.url": "http://h/s?access_token=SECRET123", "list": ["ticket=SECRET123"],
            "nested": ["u": .stringConvertible("x?ticket=SECRET123")], "endpoint": "/quotes",
        ]
        let redacted = LogRedaction.redact(metadata)
        #expect("\(redacted)".contains("SECRET123") == false)
        #expect(redacted["auth.token"] == "[redacted]")
        #expect(redacted["Authorization"] == "[redacted]")
        #expect(redacted["nats.password"] == "[redacted]")
        #expect(redacted["upstream.url"] == "http://h/s?access_token=[redacted]")
        #expect(redacted["endpoint"] == "/quotes")
    }

    @Test func theHandlerRedactsTheMessageTheLoggersMetadataAndTheLinesMetadata() {
        let records = Records()
        var logger = Logger(label: "test") { _ in RedactingLogHandler(CapturingHandler(records: records)) }
        logger[metadataKey: "upstream.url"] = "http://up/stream?access_token=SECRET123"
        logger.info("request GET /a?ticket=SECRET456", metadata: ["token": "SECRET789", "client.address": "127.0.0.1:1"])
        let line = records.lines.joined()
        #expect(!line.contains("SECRET"))
        #expect(line.contains("request GET /a?ticket=[redacted]"))
        #expect(line.contains("upstream.url=http://up/stream?access_token=[redacted]"))
        #expect(line.contains("client.address=127.0.0.1:1"))
    }
}

/// Lines a ``CapturingHandler`` was handed.
final class Records: @unchecked Sendable {
    var lines: [String] = []
}

/// Formats `message key=value…` (sorted) of what it is handed, into ``Records``.
struct CapturingHandler: LogHandler {
    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        records.lines.append(([event.message.description] + all.keys.sorted().map { "\($0)=\(all[$0]!)" }).joined(separator: " "))
    }
}
