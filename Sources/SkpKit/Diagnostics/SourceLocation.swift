/// A position in a source file. Stored 0-based; rendered 1-based by `Diagnostic`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, 1-based, as editors and compilers print it.
    public var description: String { "\(file):\(line + 1):\(column + 1)" }
}
