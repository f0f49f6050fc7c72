import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// SPEC §2 "Channels" on the wire: one endpoint, a stream per customer.
    @Suite struct ChannelTests {
        /// An endpoint `/orders/{customer}` fed by stdin lines, each line an order's JSON.
        static func orders(replay: Int = 100, extra: String = "") -> String {
            """
            sources:
              orders: { type: stdin, format: lines, event: order }
            endpoints:
              - path: /orders/{customer}
                from: [orders]
                channel: data.customer
                replay: \(replay)
            \(extra)
            """
        }

        /// One order line: `{"customer":"C","n":N}`.
        static func order(_ customer: String, _ n: Int) -> String {
            "{\"customer\":\(JSONQuote(customer)),\"n\":\(n)}\n"
        }

        /// Reads every client until `done` holds for each (or it closed), within `timeout` seconds.
        static func readAll(_ clients: [RawClient], timeout: Double, until done: (RawClient) -> Bool) {
            let deadline = Date().addingTimeInterval(timeout)
            var descriptors = clients.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            while Date() < deadline, clients.contains(where: { !done($0) && !$0.closedByPeer }) {
                guard poll(&descriptors, nfds_t(descriptors.count), 100) > 0 else { continue }
                for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                    if !clients[index].readAvailable() { descriptors[index].events = 0 }
                }
            }
        }

        /// The orders a client received: (customer, n, id) of each event of type `order` (`n`, or the example's `order`).
        static func received(_ client: RawClient) -> [(customer: String, n: Int, id: String)] {
            client.events.filter { $0.type == "order" }.compactMap { event in
                guard let data = event.data.first?.data(using: .utf8),
                    let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                    let customer = object["customer"] as? String, let n = (object["n"] ?? object["order"]) as? Int, let id = event.id
                else { return nil }
                return (customer, n, id)
            }
        }

        /// The number N of an id `EPOCH-N`.
        static func number(_ id: String) -> Int { Int(id.split(separator: "-").last ?? "") ?? -1 }

        @Test func twoHundredClientsOnAHundredChannelsEachGetExactlyTheirChannelInOrder() throws {
            let input = Pipe()
            let gateway = try GatewayProcess(yaml: Self.orders(), standardInput: input)
            defer { gateway.stop() }
            let customers = (0..<100).map { "customer-\($0)" }
            let clients = try (0..<200).map { index in
                let client = try RawClient(port: gateway.port)
                client.get("/orders/\(customers[index % 100])")
                return client
            }
            Self.readAll(clients, timeout: 20) { $0.body.contains(":ok\n\n") }
            #expect(clients.allSatisfy { $0.body.contains(":ok\n\n") }, "every stream opened")
            // 5,000 orders, 50 per customer, the customers interleaved.
            var next = [Int](repeating: 1, count: 100)
            var text = ""
            for k in 0..<5000 {
                let customer = (k * 37) % 100
                text += Self.order(customers[customer], next[customer])
                next[customer] += 1
            }
            input.fileHandleForWriting.write(Data(text.utf8))
            Self.readAll(clients, timeout: 60) { Self.received($0).count >= 50 }
            for (index, client) in clients.enumerated() {
                let orders = Self.received(client)
                let customer = customers[index % 100]
                #expect(orders.allSatisfy { $0.customer == customer }, "client \(index) got another channel's event")
                #expect(orders.map(\.n) == Array(1...50), "client \(index) got \(orders.count) orders")
                let numbers = orders.map { Self.number($0.id) }
                #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }, "ids increase within the channel")
                #expect(!client.closedByPeer)
            }
            let metrics = try fetch(port: gateway.port, get: "/metrics").body
            #expect(metrics.contains("gateway_channels{endpoint=\"/orders/{customer}\"} 100"))
        }

        @Test func aClientResumesItsChannelWithNoGapOrDuplicateWhileEventsFlowOnItAndOthers() throws {
            let input = Pipe()
            let gateway = try GatewayProcess(yaml: Self.orders(), standardInput: input)
            defer { gateway.stop() }
            let writer = input.fileHandleForWriting
            let stop = ManagedAtomicFlag()
            // Orders to ten customers, one every millisecond, until the test is done.
            let feeder = Thread {
                var n = [Int](repeating: 1, count: 10)
                var k = 0
                while !stop.isSet, k < 20_000 {
                    let customer = k % 10
                    writer.write(Data(Self.order("c\(customer)", n[customer]).utf8))
                    n[customer] += 1
                    k += 1
                    usleep(1000)
                }
            }
            feeder.start()
            defer { stop.set() }
            var seen: [Int] = []
            var lastID: String?
            for round in 0..<4 {
                let client = try RawClient(port: gateway.port)
                client.get("/orders/c3", headers: lastID.map { ["Last-Event-ID: \($0)"] } ?? [])
                client.read(until: { Self.received($0).count >= 20 }, timeout: 20)
                let orders = Self.received(client)
                #expect(!client.body.contains("event: reset"), "round \(round): an exact resume has no reset")
                #expect(orders.allSatisfy { $0.customer == "c3" })
                seen += orders.map(\.n)
                lastID = orders.last?.id ?? lastID
                // The connection closes here; events go on flowing before the next round connects.
                usleep(50_000)
            }
            stop.set()
            #expect(seen.count >= 80)
            #expect(seen == Array((seen.first ?? 1)..<((seen.first ?? 1) + seen.count)), "no gap and no duplicate across resumes")
        }

        @Test func anIDOlderThanTheChannelKeepsOrFromAnotherChannelIsPlacedByItsNumber() throws {
            let input = Pipe()
            let gateway = try GatewayProcess(yaml: Self.orders(replay: 3), standardInput: input)
            defer { gateway.stop() }
            let watcher = try RawClient(port: gateway.port)
            watcher.get("/orders/b")
            #expect(watcher.read(until: { $0.body.contains(":ok") }, timeout: 10))
            var text = ""
            for n in 1...10 { text += Self.order("a", n) + Self.order("b", n) }
            input.fileHandleForWriting.write(Data(text.utf8))
            #expect(watcher.read(until: { Self.received($0).count == 10 }, timeout: 10))
            let bIDs = Self.received(watcher).map(\.id)
            // b's first id is older than channel a keeps (a holds its last 3): a reset, then a's last 3.
            let old = try RawClient(port: gateway.port)
            old.get("/orders/a", headers: ["Last-Event-ID: \(bIDs[0])"])
            #expect(old.read(until: { Self.received($0).count == 3 }, timeout: 10))
            let reset = old.events.first { $0.type == "reset" }
            let resetData = try #require(reset?.data.first)
            #expect(resetData.contains("\"reason\":\"too_old\""))
            #expect(resetData.contains("\"channel\":\"a\""))
            #expect(Self.received(old).map(\.n) == [8, 9, 10])
            // b's 8th id falls between a's 8th and 9th: a resumes with 9 and 10, exactly.
            let placed = try RawClient(port: gateway.port)
            placed.get("/orders/a", headers: ["Last-Event-ID: \(bIDs[7])"])
            #expect(placed.read(until: { Self.received($0).count == 2 }, timeout: 10))
            #expect(Self.received(placed).map(\.n) == [9, 10])
            #expect(!placed.body.contains("event: reset"))
        }

        @Test func severalChannelsOnOneConnectionArriveInIDOrder() throws {
            let input = Pipe()
            let gateway = try GatewayProcess(yaml: Self.orders(), standardInput: input)
            defer { gateway.stop() }
            let watcher = try RawClient(port: gateway.port)
            watcher.get("/orders/z")
            #expect(watcher.read(until: { $0.body.contains(":ok") }, timeout: 10))
            var text = ""
            for n in 1...30 { text += Self.order("x", n) + Self.order("y", n) + Self.order("z", n) }
            input.fileHandleForWriting.write(Data(text.utf8))
            // The watcher learns this run's epoch from its first id.
            #expect(watcher.read(until: { Self.received($0).count >= 30 }, timeout: 10))
            let epoch = Self.received(watcher).first.map { String($0.id.split(separator: "-")[0]) } ?? "0"
            // Resume from before everything: both channels' orders from the first, merged by id.
            let client = try RawClient(port: gateway.port)
            client.get("/orders/*?channels=y,x", headers: ["Last-Event-ID: \(epoch)-0"])
            var more = ""
            for n in 31...40 { more += Self.order("x", n) + Self.order("z", n) + Self.order("y", n) }
            input.fileHandleForWriting.write(Data(more.utf8))
            #expect(client.read(until: { Self.received($0).count >= 80 }, timeout: 20))
            let orders = Self.received(client)
            let numbers = orders.map { Self.number($0.id) }
            #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count, "merged in id order, once each")
            #expect(orders.filter { $0.customer == "x" }.map(\.n) == Array(1...40))
            #expect(orders.filter { $0.customer == "y" }.map(\.n) == Array(1...40))
            #expect(!orders.contains { $0.customer == "z" })
        }

        @Test func theChannelsExampleSendsEachCustomerOnlyItsOrders() throws {
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let yaml = try String(contentsOf: repository.appendingPathComponent("examples/channels/gateway.yaml"), encoding: .utf8)
            // Faster orders than the example's, so a few seconds show every customer.
            let gateway = try GatewayProcess(yaml: yaml.replacingOccurrences(of: "interval: 200ms", with: "interval: 10ms"))
            defer { gateway.stop() }
            let alice = try RawClient(port: gateway.port)
            alice.get("/orders/alice")
            let two = try RawClient(port: gateway.port)
            two.get("/orders/*?channels=bob,carol")
            Self.readAll([alice, two], timeout: 20) { Self.received($0).count >= 20 }
            #expect(Self.received(alice).count >= 20)
            #expect(Self.received(alice).allSatisfy { $0.customer == "alice" })
            #expect(Set(Self.received(two).map(\.customer)) == ["bob", "carol"])
        }

        @Test func evictionsMissingKeysAndEncodedNamesAreHandledAndCounted() throws {
            let input = Pipe()
            let gateway = try GatewayProcess(yaml: Self.orders(extra: "    max_channels: 10"), standardInput: input)
            defer { gateway.stop() }
            let encoded = try RawClient(port: gateway.port)
            encoded.get("/orders/caf%C3%A9%20%2F%201")
            #expect(encoded.read(until: { $0.body.contains(":ok") }, timeout: 10))
            var text = ""
            for customer in 0..<15 { text += Self.order("c\(customer)", 1) }
            text += "{\"n\":1}\nnot json\n{\"customer\":true}\n"
            text += Self.order("café / 1", 1)
            input.fileHandleForWriting.write(Data(text.utf8))
            #expect(encoded.read(until: { Self.received($0).count == 1 }, timeout: 10))
            #expect(Self.received(encoded).first?.customer == "café / 1")
            var metrics = ""
            let counted = waitUntil(timeout: 10) {
                metrics = (try? fetch(port: gateway.port, get: "/metrics").body) ?? ""
                return metrics.contains("reason=\"no_channel\"} 3")
            }
            #expect(counted, "three orders had no usable customer")
            // 16 channels were published to; at most 10 hold events, the 6 least recent were dropped.
            #expect(metrics.contains("gateway_channel_evictions_total{endpoint=\"/orders/{customer}\",reason=\"max_channels\"} 6"))
            #expect(metrics.contains("gateway_channels{endpoint=\"/orders/{customer}\"} 10"))
        }
    }
}

/// `text` as a JSON string literal.
private func JSONQuote(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self).dropFirst().dropLast().description
}

/// A flag set once from one thread and read from another.
private final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Checks `condition` every 50 ms until it holds or `timeout` seconds pass.
private func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}
