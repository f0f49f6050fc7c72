import GatewayPlugin

extension TestCaseReader {
    /// `expect`: each endpoint's events, in the order written.
    func readExpectations(_ options: OptionsReader, label: String) -> [TestCase.Expectation]? {
        guard let node = options.node("expect") else {
            options.report("\(label) needs 'expect', the events each endpoint must publish (like 'expect: { /quotes: [ { data: x } ] }')")
            return nil
        }
        guard let entries = node.mapping else {
            options.report("'expect' must map endpoint paths to the events they publish, found \(node.kindDescription)", at: node.location)
            return nil
        }
        if entries.isEmpty {
            options.report("'expect' names no endpoint; name at least one ('/path: []' for one that must publish nothing)", at: node.location)
            return nil
        }
        let paths = configuration.endpoints.map(\.path)
        var expectations: [TestCase.Expectation] = []
        var valid = true
        for entry in entries {
            guard let endpoint = configuration.endpoints.first(where: { $0.path == entry.key }) else {
                let hint = Suggestion.hint(for: entry.key, among: paths)
                options.report("'expect' names unknown endpoint '\(entry.key)'.\(hint)", at: entry.keyLocation)
                valid = false
                continue
            }
            guard let elements = entry.value.sequence else {
                options.report(
                    "'\(entry.key)' must be a list of the events it publishes ('[]' for none), found \(entry.value.kindDescription)",
                    at: entry.value.location)
                valid = false
                continue
            }
            let events = elements.map { readExpectedEvent($0, endpoint: endpoint) }
            guard !events.contains(where: { $0 == nil }) else {
                valid = false
                continue
            }
            expectations.append(TestCase.Expectation(path: endpoint.path, events: events.compactMap { $0 }))
        }
        return valid ? expectations : nil
    }

    /// `{ event, id, data, channel }`.
    private func readExpectedEvent(_ node: ConfigNode, endpoint: EndpointConfig) -> TestCase.ExpectedEvent? {
        guard node.mapping != nil else {
            diagnostics.report(
                "an expected event must be a map like '{ event: quote, data: x }', found \(node.kindDescription)", at: node.location)
            return nil
        }
        let options = OptionsReader(node: node, context: "an expected event", diagnostics: diagnostics)
        let type = options.string("event", default: "message")
        let id = options.string("id")
        let channel = options.string("channel")
        if let channelNode = options.node("channel"), endpoint.channel == nil {
            options.report(
                "'channel' is checked only on channel endpoints, and '\(endpoint.path)' has no 'channel:'", at: channelNode.location)
        }
        let data = Self.readData(options)
        options.finish()
        guard options.isValid, let type, let data else { return nil }
        return TestCase.ExpectedEvent(type: type, data: data, id: id, channel: channel)
    }
}
