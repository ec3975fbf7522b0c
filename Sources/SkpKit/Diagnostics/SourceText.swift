/// The text of a file we report on, kept so errors can quote the offending line.
public final class SourceText: Sendable {
    public let path: String
    public let text: String
    /// Split once, when made: a lazy property would be a data race between threads reporting errors.
    private let lines: [Substring]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 0-based line `index`, without its newline, or nil past the end.
    public func line(_ index: Int) -> Substring? {
        index >= 0 && index < lines.count ? lines[index] : nil
    }
}
