/// The text of a file we report on, kept so errors can quote the offending line.
public final class SourceText: @unchecked Sendable {
    public let path: String
    public let text: String
    private lazy var lines: [Substring] = text.split(separator: "\n", omittingEmptySubsequences: false)

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// The 0-based line `index`, without its newline, or nil past the end.
    public func line(_ index: Int) -> Substring? {
        index >= 0 && index < lines.count ? lines[index] : nil
    }
}
