import Foundation

/// The example configurations the tests load and run: `examples/**/*.yaml`, except the
/// custom-plugin example's (it needs that example's own binary, which its ci.sh checks) and
/// the `*.test.yaml` case files of `gateway test`.
public enum ExampleConfigurations {
    /// The repository's root folder.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Their paths from the repository's root, sorted.
    public static let paths: [String] = {
        let enumerator = FileManager.default.enumerator(at: repository.appendingPathComponent("examples"), includingPropertiesForKeys: nil)
        var files: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            let path = url.path
            guard path.hasSuffix(".yaml"), !path.hasSuffix(".test.yaml"), !path.contains("/custom-plugin/"), !path.contains("/.build")
            else { continue }
            files.append(String(path.dropFirst(repository.path.count + 1)))
        }
        return files.sorted()
    }()
}
