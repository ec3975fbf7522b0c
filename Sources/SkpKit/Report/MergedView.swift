/// Hosts whose output was the same shown once (`-o merged`, as dshbak -c): a stage's hosts are
/// grouped by their whole block (every line, stream and note) and how they ended, so a failed
/// host never shares a block with one that succeeded. The blocks print when the stage ends, in
/// the order of each group's first host, the hosts folded (`c[01-50]`); until then the status
/// board counts the distinct blocks so far. A finished host keeps no copy of a block already
/// seen, so memory grows with the distinct outputs, not with the hosts.
final class MergedView: LiveView {
    struct Key: Hashable {
        var status: HostReport.Status
        var block: HostBlock
    }

    struct Group {
        var task: String
        var key: Key
        var hosts: [String]
    }

    let screen: Screen
    let style: Style
    let json: Bool
    private var running: [String: HostBlock] = [:]
    private var groups: [Group] = []
    private var index: [Key: Int] = [:]
    private var stageOrder: [String: Int] = [:]

    init(screen: Screen, style: Style, json: Bool) {
        self.screen = screen
        self.style = style
        self.json = json
    }

    /// For the status board's counts line while a stage runs.
    var distinctSoFar: String? {
        groups.isEmpty ? nil : "\(groups.count) distinct output\(groups.count == 1 ? "" : "s")"
    }

    func line(_ line: OutputLine) { running[line.host, default: HostBlock()].append(line, style: style) }

    func note(_ note: HostNote) { running[note.host, default: HostBlock()].append(note) }

    func observe(_ event: RunEvent) {
        switch event {
        case .taskStarted(let task): if !json { screen.write(style.taskHeading(task)) }
        case .stageQueued(let hosts):
            printGroups()
            stageOrder = Dictionary(hosts.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        case .hostFinished(let task, let host, let status, _):
            let key = Key(status: status, block: running.removeValue(forKey: host) ?? HostBlock())
            if let at = index[key] {
                groups[at].hosts.append(host)
            } else {
                index[key] = groups.count
                groups.append(Group(task: task, key: key, hosts: [host]))
            }
        // The run is over (`progress(nil)` comes last): nothing may stay unprinted.
        case .stageFinished, .progress(.none): printGroups()
        default: break
        }
    }

    /// Prints the stage's groups, each group's hosts and the groups in the stage's order.
    private func printGroups() {
        let position = { (host: String) in self.stageOrder[host] ?? Int.max }
        let ordered = groups.map { group in
            var group = group
            group.hosts.sort { (position($0), $0) < (position($1), $1) }
            return group
        }.sorted { (position($0.hosts[0]), $0.hosts[0]) < (position($1.hosts[0]), $1.hosts[0]) }
        for group in ordered { screen.write(json ? jsonEvent(group) : text(group)) }
        groups = []
        index = [:]
    }

    private func text(_ group: Group) -> String {
        let count = group.hosts.count > 1 ? style.dim(" (\(group.hosts.count) hosts)") : ""
        return style.bold("[\(HostList.fold(group.hosts))]") + " \(style.status(group.key.status))" + count + "\n"
            + group.key.block.render(style)
    }

    private func jsonEvent(_ group: Group) -> String {
        let lines = group.key.block.entries.map { entry in
            let (stream, text): (String, String) = switch entry.kind {
            case .stdout: ("stdout", entry.text)
            case .stderr: ("stderr", entry.text)
            case .note: ("message", entry.text)
            case .failure: ("error", entry.text)
            case .dropped: ("dropped", "…[output past \(HostBlock.limit / 1024 / 1024) MiB dropped]")
            }
            return JSONWriter.object([("stream", JSONWriter.string(stream)), ("line", JSONWriter.string(text))])
        }
        return JSONWriter.object([("event", "\"merged\""), ("task", JSONWriter.string(group.task)),
                                  ("status", JSONWriter.string(group.key.status.rawValue)),
                                  ("hosts", JSONWriter.array(group.hosts.map(JSONWriter.string))),
                                  ("folded", JSONWriter.string(HostList.fold(group.hosts))),
                                  ("lines", JSONWriter.array(lines))]) + "\n"
    }
}
