/// What one host printed during a stage, kept for a view that shows it as one block (grouped,
/// merged). Bounded: past `limit` bytes of output, lines are dropped with one note.
struct HostBlock: Hashable {
    enum Kind: Hashable { case stdout, stderr, note, failure, dropped }

    struct Entry: Hashable {
        var kind: Kind
        var text: String
    }

    /// The most kept per host before lines are dropped.
    static let limit = 4 * 1024 * 1024
    private(set) var entries: [Entry] = []
    private var bytes = 0

    mutating func append(_ line: OutputLine, style: Style) {
        guard bytes <= Self.limit else { return }
        let text = line.shown(style)
        bytes += text.utf8.count
        entries.append(bytes > Self.limit ? Entry(kind: .dropped, text: "")
                       : Entry(kind: line.stream == .stderr ? .stderr : .stdout, text: text))
    }

    /// skp's own lines do not count against the limit: they are few, and say why a host failed.
    mutating func append(_ note: HostNote) {
        entries.append(Entry(kind: note.failure ? .failure : .note, text: note.text.visible(keepingLines: true)))
    }

    /// The block's lines, each ending in a newline.
    func render(_ style: Style) -> String {
        entries.map { entry in
            switch entry.kind {
            case .stdout, .note: entry.text + "\n"
            case .stderr: style.yellow(entry.text) + "\n"
            case .failure: style.red(entry.text) + "\n"
            case .dropped: style.dim("…[output past \(Self.limit / 1024 / 1024) MiB dropped]") + "\n"
            }
        }.joined()
    }
}
