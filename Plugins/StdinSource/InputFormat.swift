/// How the `stdin` source reads its input.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Each line is one event's data.
    case lines
    /// Each line is a JSON object `{"event", "id", "data"}`; any other JSON line is data as is.
    case ndjson
    /// The input is an SSE stream.
    case sse
}
