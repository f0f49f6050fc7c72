import Crypto
import GatewayJWT

@testable import GatewayServer

/// Any bytes as what a client presents for auth (SPEC §6): as a whole token; as the payload of
/// a token signed with the verifier's own key, so the claims' checks and the `gateway` claim see
/// anything (a forged signature would stop every input at the signature); as a `Cookie` header;
/// and as a ticket request's body. No crash; an accepted token's access answers for any path;
/// Base64URL decodes what it encodes.
func fuzzJWT(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = jwtFuzzing.verifier.verify(text, now: jwtFuzzing.now)

    let input = jwtFuzzing.header + "." + Base64URL.encode(bytes)
    let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: jwtFuzzing.key)
    switch jwtFuzzing.verifier.verify(input + "." + Base64URL.encode(Array(mac)), now: jwtFuzzing.now) {
    case .success(let access):
        for path in [["orders"], ["orders", "42"], [""], [text]] { _ = access.allows(path) }
        _ = access.deliveredTypes(asked: ["created", text])
    case .failure(let rejection):
        precondition(!rejection.description.isEmpty)
    }

    precondition(Base64URL.decode(Array(Base64URL.encode(bytes).utf8)) == bytes, "Base64URL does not round-trip")
    _ = PresentedToken.cookie(named: PresentedToken.cookieName, in: [Substring(text)])
    _ = Router.ticketEndpoint(in: bytes)
    return 0
}

/// The verifier every input meets, and what signs the payloads.
private let jwtFuzzing = JWTFuzzing()

private struct JWTFuzzing: Sendable {
    static let secret = "a fuzzing secret of thirty-two bytes or more"
    let key = SymmetricKey(data: Array(JWTFuzzing.secret.utf8))
    let verifier = JWTVerifier(key: JWTKey(secret: JWTFuzzing.secret), issuer: "https://auth.example", audience: "gateway")
    let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    let now = 1_700_000_000.0
}
