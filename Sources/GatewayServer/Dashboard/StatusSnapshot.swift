/// What the dashboard shows, as the status stream sends it (one JSON object per event).
struct StatusSnapshot: Sendable {
    var uptimeSeconds: Double
    var endpoints: [EndpointStatus]
    var sources: [SourceStatus]

    /// The JSON text: `{"uptime":…,"endpoints":[…],"sources":[…]}`.
    var json: String {
        var out = "{\"uptime\":\(Int(uptimeSeconds)),\"endpoints\":["
        out += endpoints.map(\.json).joined(separator: ",")
        out += "],\"sources\":["
        out += sources.map(\.json).joined(separator: ",")
        out += "]}"
        return out
    }
}

/// One endpoint in the status snapshot.
struct EndpointStatus: Sendable {
    var path: String
    var clients: Int
    var events: UInt64
    var rate: Double
    var recent: [RecentEvent]
    /// On a channel endpoint, its channels; `nil` on a broadcast one.
    var channels: ChannelsStatus? = nil
    /// On a `log: cluster` endpoint, its part in the cluster; `nil` otherwise.
    var cluster: ClusterStatus? = nil

    var json: String {
        let recentJSON = recent.reversed().map { event in
            "{\"id\":\(event.id.map(JSONText.quote) ?? "null"),\"type\":\(JSONText.quote(event.type)),\"data\":\(JSONText.quote(event.data))}"
        }
        let rounded = (rate * 10).rounded() / 10
        let channelsJSON = channels.map { ",\"channels\":" + $0.json } ?? ""
        let clusterJSON = cluster.map { ",\"cluster\":" + $0.json } ?? ""
        return "{\"path\":\(JSONText.quote(path)),\"clients\":\(clients),\"events\":\(events),\"rate\":\(rounded),\"recent\":[\(recentJSON.joined(separator: ","))]\(channelsJSON)\(clusterJSON)}"
    }
}

/// A channel endpoint's channels in the status snapshot: how many, and the busiest.
struct ChannelsStatus: Sendable {
    var count: Int
    var byClients: [Channels.Summary]
    var byEvents: [Channels.Summary]

    var json: String {
        func list(_ channels: [Channels.Summary]) -> String {
            "[" + channels.map { "{\"name\":\(JSONText.quote($0.name)),\"clients\":\($0.clients),\"events\":\($0.published)}" }
                .joined(separator: ",") + "]"
        }
        return "{\"count\":\(count),\"top_clients\":\(list(byClients)),\"top_events\":\(list(byEvents))}"
    }
}

/// A clustered endpoint in the status snapshot: its stream, whether this instance runs its
/// sources, and whether the engine is reachable.
struct ClusterStatus: Sendable {
    /// The stream's name, or `nil` until it is open.
    var stream: String?
    var holdsLease: Bool
    var connected: Bool

    var json: String {
        "{\"stream\":\(stream.map(JSONText.quote) ?? "null"),\"lease\":\(holdsLease),\"connected\":\(connected)}"
    }
}

/// One source in the status snapshot.
struct SourceStatus: Sendable {
    var name: String
    var type: String
    var ready: Bool
    var events: UInt64

    var json: String {
        "{\"name\":\(JSONText.quote(name)),\"type\":\(JSONText.quote(type)),\"ready\":\(ready),\"events\":\(events)}"
    }
}

/// JSON string quoting, enough for the status snapshot.
enum JSONText {
    /// `text` as a JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"  // safe inside any HTML context
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
