import EventStream

/// Every stream the interpretation tests use, each with what it must yield; the chunking tests feed them
/// all again in every chunking.
extension StreamCase {
    static let all: [StreamCase] = rules + webPlatform

    // MARK: The HTML standard's rules, one case each

    static let byteOrderMarkAtStart = StreamCase(
        "a byte order mark opening the stream is skipped", "\u{FEFF}data: a\n\n", [message("a")])
    static let secondByteOrderMark = StreamCase(
        "only one byte order mark is skipped; a second one makes the field name unknown",
        "\u{FEFF}\u{FEFF}data: a\n\ndata: b\n\n", [message("b")])
    static let byteOrderMarkLater = StreamCase(
        "a byte order mark after the start is content", "data: a\n\n\u{FEFF}data: b\n\ndata: c\n\n", [message("a"), message("c")])
    static let byteOrderMarkPrefix = StreamCase(
        "the first bytes of a byte order mark that does not complete are content",
        bytes: [0xEF, 0xBB] + Array("data: a\n\ndata: b\n\n".utf8), [message("b")])
    static let byteOrderMarkFirstByte = StreamCase(
        "a lone first byte of a byte order mark is content",
        bytes: [0xEF] + Array("data: a\n\ndata: b\n\n".utf8), [message("b")])
    static let invalidUTF8 = StreamCase(
        "invalid UTF-8 becomes U+FFFD, one per maximal invalid subpart",
        bytes: Array("data: ".utf8) + [0xFF, 0x41, 0xE2, 0x82, 0x41, 0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98] + Array("\n\n".utf8),
        [message("\u{FFFD}A\u{FFFD}A\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")])
    static let invalidUTF8InTypeAndID = StreamCase(
        "invalid UTF-8 in an event type or id becomes U+FFFD",
        bytes: Array("event: a".utf8) + [0xC0] + Array("\nid: ".utf8) + [0xFE] + Array("\ndata: x\n\n".utf8),
        [message("x", id: "\u{FFFD}", type: "a\u{FFFD}")], lastEventID: "\u{FFFD}")
    static let multiByteCharacters = StreamCase(
        "multi-byte characters are decoded, even when a chunk splits them",
        "event: ñ\nid: ид\ndata: é€😀\u{2028}字\n\n", [message("é€😀\u{2028}字", id: "ид", type: "ñ")])
    static let lineEnds = StreamCase(
        "CR, LF and CR LF each end a line", "data: a\r\rdata: b\n\ndata: c\r\n\r\ndata: d\r\ndata: e\rdata: f\n\r\n",
        [message("a"), message("b"), message("c"), message("d\ne\nf")])
    static let lineFeedAfterCarriageReturnAndLineFeed = StreamCase(
        "LF after CR LF is an empty line", "data: a\r\n\ndata: b\n\n", [message("a"), message("b")])
    static let carriageReturnAfterLineFeed = StreamCase(
        "CR after LF is an empty line, not part of a line end", "data: a\n\rdata: b\n\n", [message("a"), message("b")])
    static let comments = StreamCase(
        "lines starting with a colon are comments",
        ": hello\ndata: a\n:\n::data: x\n: data: y\ndata: b\n\n", [message("a\nb")])
    static let fieldWithoutColon = StreamCase(
        "a line without a colon is a field name with an empty value",
        "data\n\ndata\ndata\n\nevent\ndata: x\n\n", [message(""), message("\n"), message("x")])
    static let oneLeadingSpace = StreamCase(
        "only one space after the colon is removed",
        "data:a\ndata: b\ndata:  c\ndata:\td\ndata: \n\n", [message("a\nb\n c\n\td\n")])
    static let colonsInValues = StreamCase(
        "the field name ends at the first colon", "data: a:b\ndata::c\ndata: : d\n\n", [message("a:b\n:c\n: d")])
    static let dataJoinedWithLineFeeds = StreamCase(
        "data lines are joined with LF and the last LF is removed at dispatch",
        "data: a\ndata:\ndata: b\ndata:\n\n", [message("a\n\nb\n")])
    static let eventTypeResetAfterDispatch = StreamCase(
        "the event type applies to one event", "event: add\ndata: 1\n\ndata: 2\n\n", [message("1", type: "add"), message("2")])
    static let lastEventTypeWins = StreamCase(
        "the last event field of an event sets its type", "event: a\nevent: b\ndata: x\n\n", [message("x", type: "b")])
    static let emptyEventType = StreamCase(
        "an empty event type means message", "event: a\nevent:\ndata: x\n\n", [message("x")])
    static let noDispatchWithoutData = StreamCase(
        "an event without data is not dispatched but resets the event type",
        "event: add\nid: 1\n\ndata: x\n\n", [message("x", id: "1")], lastEventID: "1")
    static let lastEventIDPersists = StreamCase(
        "the last event id persists until an id field changes it",
        "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n",
        [message("a", id: "1"), message("b", id: "1"), message("c", id: "2"), message("d")], lastEventID: "")
    static let idAfterData = StreamCase(
        "an id field after the data lines still applies to the event", "data: a\nid: 5\n\n", [message("a", id: "5")])
    static let idWithNUL = StreamCase(
        "an id containing NUL is ignored", "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n",
        [message("a", id: "1"), message("b", id: "1")], lastEventID: "1")
    static let idKeepsSpaces = StreamCase(
        "an id keeps every space but the first", "id:  7 \ndata: a\n\n", [message("a", id: " 7 ")])
    static let retryDigitsOnly = StreamCase(
        "retry is taken only when it is ASCII digits",
        "retry: 1000\nretry: 01500\nretry: 2s\nretry: -1\nretry: +1\nretry: 1.5\nretry:\nretry\nretry: 1 0\nretry:  5\nretry: ٣\n",
        [.retry(milliseconds: 1000), .retry(milliseconds: 1500)])
    static let retryClamped = StreamCase(
        "a retry too large for Int is clamped", "retry: 99999999999999999999999\n", [.retry(milliseconds: .max)])
    static let retryReportedAtItsLine = StreamCase(
        "retry is reported when read, before its event", "data: a\nretry: 5\n\n", [.retry(milliseconds: 5), message("a")])
    static let unknownFields = StreamCase(
        "unknown fields are ignored, and names are case- and space-sensitive",
        "foo: bar\ndata: a\nDATA: b\n data: c\ndata : d\ndatum: e\nevents: f\nidentifier: g\nretrying: 1\nxxxxxxxxxx\n\n",
        [message("a")])
    static let unterminatedEvent = StreamCase(
        "an event the stream does not end with an empty line is discarded", "data: a\n\nid: 2\ndata: b\n",
        [message("a")], lastEventID: "")
    static let unterminatedLine = StreamCase(
        "an unterminated last line is discarded", "data: a\n\ndata: b", [message("a")])
    static let nulInData = StreamCase("NUL is ordinary content in data", "data: \0a\0\n\n", [message("\0a\0")])

    static let rules: [StreamCase] = [
        byteOrderMarkAtStart, secondByteOrderMark, byteOrderMarkLater, byteOrderMarkPrefix, byteOrderMarkFirstByte, invalidUTF8,
        invalidUTF8InTypeAndID, multiByteCharacters, lineEnds, lineFeedAfterCarriageReturnAndLineFeed, carriageReturnAfterLineFeed,
        comments, fieldWithoutColon, oneLeadingSpace, colonsInValues, dataJoinedWithLineFeeds, eventTypeResetAfterDispatch,
        lastEventTypeWins, emptyEventType, noDispatchWithoutData, lastEventIDPersists, idAfterData, idWithNUL, idKeepsSpaces,
        retryDigitsOnly, retryClamped, retryReportedAtItsLine, unknownFields, unterminatedEvent, unterminatedLine, nulInData,
    ]

    // MARK: web-platform-tests eventsource/format-*, restated

    static let longComment = String(repeating: "x", count: 2048)

    static let webPlatform: [StreamCase] = [
        StreamCase(
            "format-bom: a BOM at the start is skipped, a BOM later spoils its line",
            "\u{FEFF}data:1\n\n\u{FEFF}data:2\n\ndata:3\n\n", [message("1"), message("3")]),
        StreamCase(
            "format-bom-2: two BOMs at the start: the second spoils the first event",
            "\u{FEFF}\u{FEFF}data:1\n\ndata:2\n\ndata:3\n\n", [message("2"), message("3")]),
        StreamCase(
            "format-comments: comments of any length, with NUL or after CR, are skipped",
            "data:1\r:\0\n:\r\ndata:2\n:\(longComment)\rdata:3\n:data:fail\r:\(longComment)\ndata:4\n\n",
            [message("1\n2\n3\n4")]),
        StreamCase(
            "format-data-before-final-empty-line: the event the stream leaves open is not dispatched",
            "retry:1000\ndata:test1\n\nid:test\ndata:test2", [.retry(milliseconds: 1000), message("test1")], lastEventID: ""),
        StreamCase(
            "format-field-data: data with and without a colon, empty or not",
            "data:\n\ndata\ndata\n\ndata:test\n\n", [message(""), message("\n"), message("test")]),
        StreamCase(
            "format-field-event-empty: an empty event field gives the type message",
            "event: \ndata:data\n\n", [message("data")]),
        StreamCase(
            "format-field-event: the event type is reset after each dispatch",
            "event:test\ndata:x\n\ndata:x\n\n", [message("x", type: "test"), message("x")]),
        StreamCase(
            "format-field-id: the id is the event's lastEventId and the id sent on reconnection",
            "id: 1\nretry: 1000\ndata: 1\n\n", [.retry(milliseconds: 1000), message("1", id: "1")], lastEventID: "1"),
        StreamCase(
            "format-field-id-2: an empty id field clears the last event id",
            "id: 1\ndata: 1\n\nid:\ndata: 2\n\n", [message("1", id: "1"), message("2")], lastEventID: ""),
        StreamCase(
            "format-field-id-3: an id containing NUL does not change the last event id",
            "id: 1\ndata: 1\n\nid: 2\0\ndata: 2\n\n", [message("1", id: "1"), message("2", id: "1")], lastEventID: "1"),
        StreamCase(
            "format-field-parsing: only exact field names count; NUL and spaces spoil a name",
            "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n",
            [message("\0\n 2\n1\n3\n\n4")]),
        StreamCase(
            "format-field-retry-bogus: a retry with a non-digit is ignored",
            "retry:3000\nretry:1000x\ndata:x\n\n", [.retry(milliseconds: 3000), message("x")]),
        StreamCase(
            "format-field-retry-empty: an empty retry is ignored",
            "retry\ndata:test\n\n", [message("test")]),
        StreamCase(
            "format-field-retry: retry with a leading zero",
            "retry:03000\ndata:x\n\n", [.retry(milliseconds: 3000), message("x")]),
        StreamCase(
            "format-field-unknown: unknown fields and comments between data lines",
            "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n", [message("test\n\ntest")]),
        StreamCase(
            "format-leading-space: a tab is kept, one space is removed",
            "data:\ttest\rdata: \ndata:test\n\n", [message("\ttest\n\ntest")]),
        StreamCase(
            "format-newlines: CR LF and LF end lines alike",
            "data:test\r\ndata\ndata:test\r\n\r\n", [message("test\n\ntest")]),
        StreamCase(
            "format-null-character: NUL data is dispatched as is",
            "data:\0\n\n\n\n", [message("\0")]),
        StreamCase(
            "format-utf-8: UTF-8 data is decoded",
            "data:ok\u{2026} ünïcödé 日本語 🎉\n\n", [message("ok\u{2026} ünïcödé 日本語 🎉")]),
    ]
}
