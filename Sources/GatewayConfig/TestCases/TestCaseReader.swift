import GatewayPlugin

/// Reads the cases of a test file, reporting every problem (see ``TestCaseLoader``).
///
/// Maps are read through ``OptionsReader``, as plugin options are, so a case file's unknown
/// keys and wrong types read exactly like `gateway.yaml`'s.
struct TestCaseReader {
    let configuration: GatewayConfiguration
    let diagnostics: Diagnostics

    /// What a case looks like, for messages.
    static let shape = "'- name: …, input: { SOURCE: [events] }, expect: { /PATH: [events] }'"

    func read(_ root: ConfigNode) -> [TestCase] {
        guard let elements = root.sequence, !elements.isEmpty else {
            let found = root.sequence != nil || root.isNull ? "" : ", found \(root.kindDescription)"
            diagnostics.report("a test case file must be a list of one or more cases like \(Self.shape)\(found)", at: root.location)
            return []
        }
        var cases: [TestCase] = []
        var named: [String: ConfigLocation] = [:]
        for (index, node) in elements.enumerated() {
            guard let testCase = readCase(node, number: index + 1) else { continue }
            if let first = named[testCase.name] {
                diagnostics.report(
                    "another case is named '\(testCase.name)' (line \(first.line)); give each case a name of its own",
                    at: node["name"]?.location ?? node.location)
                continue
            }
            named[testCase.name] = testCase.location
            cases.append(testCase)
        }
        return cases
    }

    private func readCase(_ node: ConfigNode, number: Int) -> TestCase? {
        guard node.mapping != nil else {
            diagnostics.report(
                "case \(number) must be a map with 'name', 'input' and 'expect', found \(node.kindDescription)", at: node.location)
            return nil
        }
        let label = node["name"]?.scalar.map { "case '\($0)'" } ?? "case \(number)"
        let options = OptionsReader(node: node, context: label, diagnostics: diagnostics)
        let name = options.string("name", required: true)
        let inputs = readInputs(options, label: label)
        let expectations = readExpectations(options, label: label)
        options.finish()
        guard let name, let inputs, let expectations else { return nil }
        return TestCase(name: name, inputs: inputs, expectations: expectations, location: node.location)
    }

    /// `input`: each source's events, in the order written.
    private func readInputs(_ options: OptionsReader, label: String) -> [TestCase.Input]? {
        guard let node = options.node("input") else {
            options.report("\(label) needs 'input', the events each source emits (like 'input: { quotes: [ { data: x } ] }')")
            return nil
        }
        guard let entries = node.mapping else {
            options.report("'input' must map source names to their events, found \(node.kindDescription)", at: node.location)
            return nil
        }
        let names = configuration.sources.map(\.name)
        var inputs: [TestCase.Input] = []
        var valid = true
        for entry in entries {
            guard let source = configuration.source(named: entry.key) else {
                let hint = Suggestion.hint(for: entry.key, among: names)
                options.report("'input' names unknown source '\(entry.key)'.\(hint)", at: entry.keyLocation)
                valid = false
                continue
            }
            guard let events = readSourceEvents(entry.value, source: source) else {
                valid = false
                continue
            }
            inputs.append(TestCase.Input(source: source.name, events: events))
        }
        return valid ? inputs : nil
    }

    /// One source's events: a list of events, or `{ sse: TEXT }`.
    private func readSourceEvents(_ node: ConfigNode, source: SourceConfig) -> [Event]? {
        switch node.value {
        case .sequence(let elements):
            let events = elements.map(readInputEvent)
            return events.contains { $0 == nil } ? nil : events.compactMap { $0 }
        case .mapping:
            let options = OptionsReader(node: node, context: "the input of '\(source.name)'", diagnostics: diagnostics)
            let text = options.string("sse", required: true)
            options.finish()
            guard let text else { return nil }
            return Self.transcript(text, maxEventSize: source.maxEventSize)
        case .scalar, .null:
            diagnostics.report(
                "the input of '\(source.name)' must be a list of events or '{ sse: TEXT }', found \(node.kindDescription)",
                at: node.location)
            return nil
        }
    }

    /// `{ event, id, data }`.
    private func readInputEvent(_ node: ConfigNode) -> Event? {
        guard node.mapping != nil else {
            diagnostics.report("an input event must be a map like '{ event: quote, data: x }', found \(node.kindDescription)", at: node.location)
            return nil
        }
        let options = OptionsReader(node: node, context: "an input event", diagnostics: diagnostics)
        let type = options.string("event")
        let id = options.string("id")
        let data = Self.readData(options)
        options.finish()
        guard options.isValid, let data else { return nil }
        return Event(id: id, event: type, data: data)
    }

    /// `data`: required; a scalar as written, a map or list as compact JSON.
    static func readData(_ options: OptionsReader) -> String? {
        guard let node = options.node("data"), let data = node.eventData else {
            options.report("\(options.context) needs 'data' (write data: '' for empty data)")
            return nil
        }
        return data
    }

    /// The events an upstream sending `text` would give the source: the `sse` source's parser,
    /// its size limit (a larger event is skipped), and an event the text leaves unfinished
    /// (no empty line after it) not dispatched.
    static func transcript(_ text: String, maxEventSize: Int) -> [Event] {
        var parser = SSEParser(maxEventSize: maxEventSize)
        var events: [Event] = []
        parser.parse(text.utf8) { output in
            if case .event(let event) = output { events.append(event) }
        }
        return events
    }
}
