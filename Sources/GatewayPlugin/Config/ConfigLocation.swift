/// A place in a configuration file, 1-based, as `gateway check` prints it.
public struct ConfigLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file name as the user gave it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a location.
    /// - Parameters:
    ///   - file: the file name as the user gave it.
    ///   - line: 1-based line.
    ///   - column: 1-based column.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: ConfigLocation, rhs: ConfigLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
