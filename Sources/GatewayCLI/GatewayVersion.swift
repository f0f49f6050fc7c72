/// The version `gateway --version` prints.
public enum GatewayVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
