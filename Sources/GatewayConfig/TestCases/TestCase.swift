import GatewayPlugin

/// One case of a test file (`gateway test`, SPEC §8): events handed to named sources, and the
/// events named endpoints must publish, in order.
///
/// ```yaml
/// - name: alerts keep only high prices
///   input: { quotes: [ { event: quote, data: '{"symbol":"ACME","price":101}' } ] }
///   expect: { /alerts: [ { event: alert, data: '{"symbol":"ACME","price":101}' } ] }
/// ```
public struct TestCase: Sendable {
    /// `name`: how the result line names the case; unique within its file.
    public var name: String
    /// `input`: what each source emits, in the order written.
    public var inputs: [Input]
    /// `expect`: the endpoints checked, in the order written. Endpoints not named are not checked.
    public var expectations: [Expectation]
    /// Where the case starts in its file.
    public var location: ConfigLocation

    /// Creates a case.
    public init(name: String, inputs: [Input], expectations: [Expectation], location: ConfigLocation) {
        self.name = name
        self.inputs = inputs
        self.expectations = expectations
        self.location = location
    }

    /// The events one source emits in a case: given one by one, or parsed from a raw SSE
    /// transcript by the same parser the `sse` source uses.
    public struct Input: Sendable {
        /// The source's name in `gateway.yaml`.
        public var source: String
        /// Its events, in order.
        public var events: [Event]

        /// Creates an input.
        public init(source: String, events: [Event]) {
            self.source = source
            self.events = events
        }
    }

    /// What one endpoint must publish in a case: exactly these events, in this order.
    public struct Expectation: Sendable {
        /// The endpoint's path, as written in `gateway.yaml`.
        public var path: String
        /// The events, in order; empty when the endpoint must publish nothing.
        public var events: [ExpectedEvent]

        /// Creates an expectation.
        public init(path: String, events: [ExpectedEvent]) {
            self.path = path
            self.events = events
        }
    }

    /// One event an endpoint must publish. The type and data are always checked; the id and
    /// channel only when the case gives them.
    public struct ExpectedEvent: Sendable, Hashable {
        /// `event`: the type (`message` when the case gives none).
        public var type: String
        /// `data`: the data, compared as text.
        public var data: String
        /// `id`: the id sent, or `nil` to leave it unchecked.
        public var id: String?
        /// `channel`: the channel, on a channel endpoint, or `nil` to leave it unchecked.
        public var channel: String?

        /// Creates an expected event.
        public init(type: String = "message", data: String, id: String? = nil, channel: String? = nil) {
            self.type = type
            self.data = data
            self.id = id
            self.channel = channel
        }
    }
}
