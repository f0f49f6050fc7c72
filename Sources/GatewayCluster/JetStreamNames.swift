/// The names a cluster's endpoints have in NATS JetStream: streams, subjects and the lease bucket.
///
/// Every name is derived from the cluster's name and the endpoint's path, so every instance
/// running the same `gateway.yaml` finds the same streams. The encodings are reversible, so two
/// different endpoints (or channels) never share a name:
///
/// - A **name token** (a cluster name, an endpoint path, a lease name) keeps ASCII letters and
///   digits; an endpoint's `/` becomes `_` (its leading `/` is dropped); every other byte of its
///   UTF-8 is written `-XX` (two upper-case hex digits), `-` and `_` included. The result uses only
///   `[A-Za-z0-9_-]`, which is valid in stream names, KV bucket names, KV keys and subject tokens.
///   `/orders/{customer}` → `orders_-7Bcustomer-7D`.
/// - A **channel token** keeps ASCII letters, digits, `-` and `_` and writes every other UTF-8
///   byte as `%XX` (percent-encoding), so a channel can be any non-empty string and still be one
///   subject token: `café / 1` → `caf%C3%A9%20%2F%201`, `a.b` → `a%2Eb`, `*` → `%2A`, `>` → `%3E`.
///
/// | What | Name |
/// |---|---|
/// | stream | `GW_<cluster>_<endpoint>`: `GW_prod_quotes` for cluster `prod`, `/quotes` |
/// | broadcast subject | `gw.<cluster>.<endpoint>`: `gw.prod.quotes` |
/// | channel subject | `gw.<cluster>.<endpoint>.<channel>`: `gw.prod.orders_-7Bcustomer-7D.42` |
/// | lease bucket | `GW_<cluster>_leases` (its stream is `KV_GW_<cluster>_leases`) |
/// | lease key | `<lease name>` as a name token |
public enum JetStreamNames {
    /// The stream that holds the events of `endpoint` in `cluster`.
    public static func stream(cluster: String, endpoint: String) -> String {
        "GW_\(nameToken(cluster))_\(endpointToken(endpoint))"
    }

    /// The cluster and endpoint a name made by ``stream(cluster:endpoint:)`` stands for; `nil`
    /// when it is not such a name. The endpoint comes back with its leading `/`.
    public static func parseStream(_ name: String) -> (cluster: String, endpoint: String)? {
        guard name.hasPrefix("GW_") else { return nil }
        let rest = name.dropFirst(3)
        // The cluster's token never holds `_` (it is escaped), so the first one separates.
        guard let separator = rest.firstIndex(of: "_"),
            let cluster = decodeName(rest[..<separator], slash: false),
            let endpoint = decodeName(rest[rest.index(after: separator)...], slash: true)
        else { return nil }
        return (cluster, "/" + endpoint)
    }

    /// The subject of `endpoint`'s events in `cluster`: on a broadcast endpoint, the only one; on a
    /// channel endpoint, the prefix of every channel's subject.
    public static func subject(cluster: String, endpoint: String) -> String {
        "gw.\(nameToken(cluster)).\(endpointToken(endpoint))"
    }

    /// The subject of `channel`'s events on a channel endpoint.
    public static func subject(cluster: String, endpoint: String, channel: String) -> String {
        "\(subject(cluster: cluster, endpoint: endpoint)).\(channelToken(channel))"
    }

    /// The subjects a channel endpoint's stream takes: every channel's.
    public static func channelWildcard(cluster: String, endpoint: String) -> String {
        "\(subject(cluster: cluster, endpoint: endpoint)).*"
    }

    /// The subject on which the instance that runs push source `source` takes publishes the
    /// other instances forward (outside every stream's subjects).
    public static func publishSubject(cluster: String, source: String) -> String {
        "gwpub.\(nameToken(cluster)).\(channelToken(source))"
    }

    /// The KV bucket that holds the cluster's leases.
    public static func leaseBucket(cluster: String) -> String {
        "GW_\(nameToken(cluster))_leases"
    }

    /// The key of the lease called `name` in ``leaseBucket(cluster:)``.
    public static func leaseKey(_ name: String) -> String {
        nameToken(name)
    }

    /// `channel` as one subject token (see the type's description); `""` stays `""`.
    public static func channelToken(_ channel: String) -> String {
        var out = ""
        out.reserveCapacity(channel.utf8.count)
        for byte in channel.utf8 {
            if isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                appendEscaped(byte, marker: "%", to: &out)
            }
        }
        return out
    }

    /// The channel a token made by ``channelToken(_:)`` stands for; `nil` when it is not one.
    public static func channel(fromToken token: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        var iterator = token.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") {
                bytes.append(byte)
            } else {
                return nil
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The channel of a message stored under `subject` on a channel endpoint whose subject is
    /// `prefix`; `nil` when the subject is not one of its channels'.
    public static func channel(subject: String, prefix: String) -> String? {
        guard subject.count > prefix.count + 1, subject.hasPrefix(prefix) else { return nil }
        let rest = subject.utf8.dropFirst(prefix.utf8.count)
        guard rest.first == UInt8(ascii: ".") else { return nil }
        return channel(fromToken: Substring(rest.dropFirst()))
    }

    /// `name` as a name token (see the type's description).
    public static func nameToken(_ name: String) -> String {
        encodeName(name, slash: false)
    }

    /// An endpoint's path as a name token: its leading `/` dropped, each other `/` as `_`.
    public static func endpointToken(_ endpoint: String) -> String {
        let path = endpoint.hasPrefix("/") ? String(endpoint.dropFirst()) : endpoint
        return encodeName(path, slash: true)
    }

    // MARK: Encoding

    private static func encodeName(_ name: String, slash: Bool) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            if isAlphanumeric(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if slash && byte == UInt8(ascii: "/") {
                out.append("_")
            } else {
                appendEscaped(byte, marker: "-", to: &out)
            }
        }
        return out
    }

    private static func decodeName(_ token: Substring, slash: Bool) -> String? {
        var bytes: [UInt8] = []
        var iterator = token.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "-") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if slash && byte == UInt8(ascii: "_") {
                bytes.append(UInt8(ascii: "/"))
            } else if isAlphanumeric(byte) {
                bytes.append(byte)
            } else {
                return nil
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

    private static func appendEscaped(_ byte: UInt8, marker: Unicode.Scalar, to out: inout String) {
        out.unicodeScalars.append(marker)
        out.unicodeScalars.append(hexDigits[Int(byte >> 4)])
        out.unicodeScalars.append(hexDigits[Int(byte & 0x0F)])
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil  // upper case only, so each name has one spelling
        }
    }
}
