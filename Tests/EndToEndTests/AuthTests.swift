import Crypto
import CryptoExtras
import Foundation
import Testing

extension EndToEnd {
    /// SPEC §6: JWTs and tickets, through the real binary.
    @Suite struct AuthTests {
        /// `/orders` carries `created` and `deleted` events and takes HS256 tokens, with no leeway.
        static let config = """
            sources:
              created: { type: generate, interval: 40ms, event: created, data: 'n={{seq}}' }
              deleted: { type: generate, interval: 40ms, event: deleted, data: 'n={{seq}}' }
            endpoints:
              - path: /orders
                from: [created, deleted]
                auth:
                  jwt: { secret: "${JWT_SECRET}", audience: gateway, leeway: 0s }
            """

        static func start(_ yaml: String = Self.config, arguments: [String] = []) throws -> GatewayProcess {
            try GatewayProcess(yaml: yaml, environment: ["JWT_SECRET": TestJWT.secret], extraArguments: arguments)
        }

        @Test func aStreamEndsCleanlyWhenItsTokenExpiresAndTheClientSeesTheBodyComplete() throws {
            let gateway = try Self.start()
            defer { gateway.stop() }
            let token = TestJWT.hs256(#"{"aud":"gateway","exp":\#(TestJWT.time(2))}"#)
            let client = try RawClient(port: gateway.port)
            let started = Date()
            client.get("/orders", headers: ["Authorization: Bearer \(token)"])
            #expect(client.read(until: { $0.events.count >= 3 }, timeout: 5))
            #expect(client.status == 200)
            client.readToEnd(timeout: 8)
            let lasted = Date().timeIntervalSince(started)
            #expect(client.closedByPeer)
            #expect(client.bodyIsComplete, "the stream ended with its last chunk")
            #expect(lasted > 1.5 && lasted < 5, "closed at the token's exp, after \(lasted) s")
            // Every event arrived whole: the stream ended on an event boundary.
            #expect(client.body.hasSuffix("\n\n"))
            // Counted once the gateway has seen the connection close, a moment after the client has.
            let counted = #"gateway_disconnects_total{endpoint="/orders",reason="token_expired"} 1"#
            let deadline = Date().addingTimeInterval(5)
            var metrics = ""
            repeat {
                metrics = try fetch(port: gateway.port, get: "/metrics").body
                if metrics.contains(counted) { break }
                usleep(50_000)
            } while Date() < deadline
            #expect(metrics.contains(counted))
        }

        @Test func aTokenRestrictedToSomeEventTypesGetsOnlyThoseWhateverItAsks() throws {
            let gateway = try Self.start()
            defer { gateway.stop() }
            let token = TestJWT.hs256(#"{"aud":"gateway","gateway":{"events":["created"]}}"#)
            let client = try RawClient(port: gateway.port)
            client.get("/orders?event=created,deleted&access_token=\(token)")
            #expect(client.read(until: { $0.events.count >= 6 }, timeout: 5))
            #expect(Set(client.events.map(\.type)) == ["created"])
            let open = try RawClient(port: gateway.port)
            open.get("/orders?access_token=\(TestJWT.hs256(#"{"aud":"gateway"}"#))")
            #expect(open.read(until: { Set($0.events.map(\.type)) == ["created", "deleted"] }, timeout: 5), "an unrestricted token gets both")
        }

        @Test func anExpiredTokenOrOneForAnotherAudienceIs401AndAForbiddenPathIs403() throws {
            let gateway = try Self.start()
            defer { gateway.stop() }
            let expired = try fetch(
                port: gateway.port, get: "/orders",
                headers: ["Authorization: Bearer \(TestJWT.hs256(#"{"aud":"gateway","exp":\#(TestJWT.time(-5))}"#))"])
            #expect(expired.status == 401)
            #expect(expired.headers["www-authenticate"] == #"Bearer error="invalid_token", error_description="the token has expired""#)
            #expect(try fetch(port: gateway.port, get: "/orders?access_token=\(TestJWT.hs256(#"{"aud":"api"}"#))").status == 401)
            #expect(try fetch(port: gateway.port, get: "/orders").status == 401)
            let elsewhere = TestJWT.hs256(#"{"aud":"gateway","gateway":{"endpoints":["/quotes"]}}"#)
            #expect(try fetch(port: gateway.port, get: "/orders?access_token=\(elsewhere)").status == 403)
        }

        @Test func aTicketOpensOneStreamOnceAndNotTwice() throws {
            let gateway = try Self.start()
            defer { gateway.stop() }
            let token = TestJWT.hs256(#"{"aud":"gateway","gateway":{"events":["deleted"]}}"#)
            let answer = try post(
                port: gateway.port, "/_gateway/ticket", contentType: "application/json", body: #"{"endpoint": "/orders"}"#,
                headers: ["Authorization: Bearer \(token)"])
            #expect(answer.status == 200)
            #expect(answer.headers["cache-control"] == "no-store")
            #expect(answer.body.contains(#""expires_in":30"#))
            let ticket = try #require(answer.body.firstMatch(of: /"ticket":"([A-Za-z0-9_-]{43})"/).map { String($0.1) })
            let client = try RawClient(port: gateway.port)
            client.get("/orders?ticket=\(ticket)")
            #expect(client.read(until: { $0.events.count >= 3 }, timeout: 5))
            #expect(Set(client.events.map(\.type)) == ["deleted"], "the token's claims carry over")
            #expect(try fetch(port: gateway.port, get: "/orders?ticket=\(ticket)").status == 401, "once only")
            #expect(
                try post(port: gateway.port, "/_gateway/ticket", contentType: "application/json", body: #"{"endpoint": "/orders"}"#).status == 401)
            #expect(
                try post(
                    port: gateway.port, "/_gateway/ticket", contentType: "application/json", body: #"{"endpoint": "/nope"}"#,
                    headers: ["Authorization: Bearer \(token)"]
                ).status == 404)
            #expect(
                try post(
                    port: gateway.port, "/_gateway/ticket", contentType: "application/json", body: "{", headers: ["Authorization: Bearer \(token)"]
                ).status == 400)
        }

        @Test func aPublicKeyFileVerifiesEdDSATokens() throws {
            let key = Curve25519.Signing.PrivateKey()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-jwt-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let pem = folder.appendingPathComponent("public.pem")
            try key.publicKey.pemRepresentation.write(to: pem, atomically: true, encoding: .utf8)
            let gateway = try Self.start(
                """
                sources:
                  ticks: { type: generate, interval: 40ms, event: tick, data: 'n={{seq}}' }
                endpoints:
                  - path: /ticks
                    from: [ticks]
                    auth: { jwt: { public_key: '\(pem.path)', issuer: https://auth.example } }
                """)
            defer { gateway.stop() }
            let good = try TestJWT.edDSA(#"{"iss":"https://auth.example","sub":"alice"}"#, key: key)
            let client = try RawClient(port: gateway.port)
            client.get("/ticks", headers: ["Cookie: gateway_token=\(good)"])
            #expect(client.read(until: { !$0.events.isEmpty }, timeout: 5) && client.status == 200)
            let stranger = try TestJWT.edDSA(#"{"iss":"https://auth.example"}"#, key: Curve25519.Signing.PrivateKey())
            #expect(try fetch(port: gateway.port, get: "/ticks?access_token=\(stranger)").status == 401)
            #expect(try fetch(port: gateway.port, get: "/ticks?access_token=\(TestJWT.hs256(#"{"iss":"https://auth.example"}"#))").status == 401)
        }

        @Test func tokensCookiesAndTicketsNeverAppearInTheDebugLog() throws {
            let gateway = try Self.start(arguments: ["--log-level", "debug"])
            defer { gateway.stop() }
            let inQuery = TestJWT.hs256(#"{"aud":"gateway","sub":"query-user"}"#)
            let inCookie = TestJWT.hs256(#"{"aud":"gateway","sub":"cookie-user"}"#)
            let inHeader = TestJWT.hs256(#"{"aud":"gateway","sub":"header-user"}"#)
            let forged = TestJWT.hs256(#"{"aud":"gateway"}"#).dropLast(4) + "AAAA"
            let expired = TestJWT.hs256(#"{"aud":"gateway","exp":\#(TestJWT.time(-60))}"#)
            var secrets = [inQuery, inCookie, inHeader, String(forged), expired]
            do {
                let byQuery = try RawClient(port: gateway.port)
                byQuery.get("/orders?access_token=\(inQuery)")
                #expect(byQuery.read(until: { !$0.events.isEmpty }, timeout: 5) && byQuery.status == 200)
                let byCookie = try RawClient(port: gateway.port)
                byCookie.get("/orders", headers: ["Cookie: gateway_token=\(inCookie)"])
                #expect(byCookie.read(until: { !$0.events.isEmpty }, timeout: 5) && byCookie.status == 200)
                let answer = try post(
                    port: gateway.port, "/_gateway/ticket", contentType: "application/json", body: #"{"endpoint": "/orders"}"#,
                    headers: ["Authorization: Bearer \(inHeader)"])
                let ticket = try #require(answer.body.firstMatch(of: /"ticket":"([A-Za-z0-9_-]+)"/).map { String($0.1) })
                secrets.append(ticket)
                let byTicket = try RawClient(port: gateway.port)
                byTicket.get("/orders?ticket=\(ticket)")
                #expect(byTicket.read(until: { !$0.events.isEmpty }, timeout: 5) && byTicket.status == 200)
                #expect(try fetch(port: gateway.port, get: "/orders?ticket=\(ticket)").status == 401)
                #expect(try fetch(port: gateway.port, get: "/orders?access_token=\(forged)").status == 401)
                #expect(try fetch(port: gateway.port, get: "/orders", headers: ["Cookie: gateway_token=\(expired)"]).status == 401)
            }
            let deadline = Date().addingTimeInterval(10)
            while gateway.log.components(separatedBy: "stream closed").count < 4 && Date() < deadline { usleep(20_000) }
            let log = gateway.log
            #expect(log.contains("stream opened") && log.contains("request refused"), "the debug lines are there:\n\(log)")
            #expect(log.contains("the token has expired") && log.contains("the ticket is unknown, used or expired"), "reasons are logged:\n\(log)")
            for secret in secrets {
                #expect(!log.contains(secret), "a secret is in the log:\n\(log)")
                // Not even its signature, nor its claims.
                #expect(!log.contains(String(secret.suffix(20))))
            }
            #expect(!log.contains(TestJWT.secret))
        }
    }
}
