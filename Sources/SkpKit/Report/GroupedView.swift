/// Each host's output as one block, printed when the host's stage is over (`pssh -i`).
final class GroupedView: LiveView {
    let screen: Screen
    let style: Style
    private var blocks: [String: HostBlock] = [:]

    init(screen: Screen, style: Style) {
        self.screen = screen
        self.style = style
    }

    func line(_ line: OutputLine) { blocks[line.host, default: HostBlock()].append(line, style: style) }

    func note(_ note: HostNote) { blocks[note.host, default: HostBlock()].append(note) }

    func observe(_ event: RunEvent) {
        switch event {
        case .taskStarted(let task): screen.write(style.taskHeading(task))
        case .hostFinished(_, let host, let status, _):
            let block = blocks.removeValue(forKey: host) ?? HostBlock()
            screen.write(style.bold("[\(host)]") + " \(style.status(status))\n" + block.render(style))
        default: break
        }
    }
}
