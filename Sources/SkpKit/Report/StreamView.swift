/// `host | line`, aligned and coloured per host, as the lines arrive: the default view.
final class StreamView: LiveView {
    let screen: Screen
    let style: Style
    /// The widest host name (at least 5), so the bars line up.
    let width: Int
    let hostOrder: [String: Int]

    init(screen: Screen, style: Style, hostNames: [String]) {
        self.screen = screen
        self.style = style
        width = max(5, hostNames.map(\.count).max() ?? 5)
        // As before the views were split: a host named in several stages keeps its last position.
        hostOrder = Dictionary(hostNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { _, last in last })
    }

    func line(_ line: OutputLine) {
        let text = line.shown(style)
        screen.write(prefix(line.host) + (line.stream == .stderr ? style.yellow(text) : text) + "\n")
    }

    func note(_ note: HostNote) {
        let shown = note.text.visible(keepingLines: true)
        screen.write(prefix(note.host) + (note.failure ? style.red(shown) : style.cyan(shown)) + "\n")
    }

    func observe(_ event: RunEvent) {
        if case .taskStarted(let task) = event { screen.write(style.taskHeading(task)) }
    }

    func prefix(_ host: String) -> String {
        style.host(host.padding(toLength: width, withPad: " ", startingAt: 0), index: hostOrder[host] ?? 0) + style.dim(" | ")
    }
}
