import GatewayPlugin
import NATS

/// How a NATS message becomes an event: the payload is the data; the type and the id come from
/// headers unless the source's options fix them.
///
/// A value with no I/O, so that every rule is tested on its own.
struct EventMapping: Sendable, Equatable {
    /// `event`: the type of every event, whatever the headers say; `nil` to read the `Gateway-Event` header.
    var event: String?
    /// `id_header`: the header that gives the id.
    var idHeader: String
    /// `max_event_size`: a larger payload is dropped.
    var maxEventSize: Int

    /// What becomes of one message.
    enum Outcome: Sendable, Equatable {
        case event(Event)
        /// Not relayed: `reason` is the label counted in `gateway_dropped_events_total`.
        case dropped(reason: String)
    }

    /// The event for a message with these headers and payload, or why there is none.
    ///
    /// A header that is absent or empty gives nothing: the type is then `message`, and the event
    /// has no id (an empty id would make browsers forget the last one they hold).
    func outcome(headers: [NATSHeader], payload: [UInt8]) -> Outcome {
        guard payload.count <= maxEventSize else { return .dropped(reason: "too_large") }
        // Decoding replaces invalid sequences with U+FFFD; the payload is valid UTF-8 exactly
        // when decoding gave the same bytes back.
        let data = String(decoding: payload, as: UTF8.self)
        guard data.utf8.elementsEqual(payload) else { return .dropped(reason: "invalid_utf8") }
        let type = event ?? Self.value(of: NATSSource.eventHeader, in: headers)
        let id = Self.value(of: idHeader, in: headers)
        return .event(Event(id: id, event: type, data: data))
    }

    /// The first non-empty value of header `name`: NATS compares names exactly, but publishers
    /// written with HTTP habits may send `gateway-id`, so a name that differs only in case is
    /// taken when no exact one is there.
    static func value(of name: String, in headers: [NATSHeader]) -> String? {
        let value = headers.value(of: name) ?? headers.first { $0.name.lowercased() == name.lowercased() }?.value
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
