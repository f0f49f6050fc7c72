import Foundation

/// How much slower than a normal build the code under test runs: `GATEWAY_TEST_SLOWDOWN`
/// (`make test-tsan` and `make test-asan` set it), 1 otherwise.
///
/// A test that bounds a time (a shutdown within a second, a stall timeout a reader must not
/// hit) or a CPU share (an idle loop that must not spin) scales its bound by this, so a
/// sanitized build — several times slower — is held to the same behaviour rather than to the
/// same speed. Tests never assert speed; these bounds only tell "works" from "hangs" or "spins".
public enum TestTiming {
    public static let slowdown: Double = {
        guard let text = ProcessInfo.processInfo.environment["GATEWAY_TEST_SLOWDOWN"], let value = Double(text), value >= 1 else {
            return 1
        }
        return value
    }()

    /// `seconds` scaled by ``slowdown``.
    public static func seconds(_ seconds: Double) -> Double { seconds * slowdown }

    /// A CPU share (in cores) a quiet process stays under, scaled by ``slowdown`` but below
    /// 0.9 of a core, so a loop that spins (a whole core) still fails it.
    public static func quietCores(_ cores: Double) -> Double { min(0.9, cores * slowdown) }
}
