import Foundation

/// What a run shows as it goes: the events of the run, turned into masked lines once and handed
/// to each live view (the stream, grouped or merged blocks, JSON events, the status board) under
/// one output lock, so lines from many hosts never interleave mid-line.
public final class LiveOutput: RunObserver, @unchecked Sendable {
    // @unchecked: the splitter and every view are only touched inside `screen.locked`.
    /// How command output is laid out: `host | line`, one block per host, or identical blocks once.
    public enum Layout: String, Sendable, CaseIterable { case stream, grouped, merged }

    let screen: Screen
    let style: Style
    let mask: SharedMask
    private var splitter: LineSplitter
    private(set) var views: [LiveView] = []

    /// `progress`: draw the status board (a terminal is attached to stderr); never with `json`.
    public convenience init(style: Style, layout: Layout, json: Bool, hostNames: [String], mask: SharedMask, progress: Bool) {
        self.init(style: style, layout: layout, json: json, hostNames: hostNames, mask: mask, progress: progress, screen: Screen())
    }

    init(style: Style, layout: Layout, json: Bool, hostNames: [String], mask: SharedMask, progress: Bool, screen: Screen) {
        self.screen = screen
        self.style = style
        self.mask = mask
        splitter = LineSplitter(mask: mask)
        let merged = layout == .merged ? MergedView(screen: screen, style: style, json: json) : nil
        // The board goes first: it takes each change before a view's write draws it again.
        if progress && !json {
            views.append(StatusBoardView(screen: screen, style: style, extra: merged.map { view in { view.distinctSoFar } }))
        }
        if json { views.append(JSONView(screen: screen, style: style, mask: mask, linesToo: merged == nil)) }
        if let merged {
            views.append(merged)
        } else if !json {
            views.append(layout == .grouped ? GroupedView(screen: screen, style: style) as LiveView
                         : StreamView(screen: screen, style: style, hostNames: hostNames))
        }
    }

    public func observe(_ event: RunEvent) {
        screen.locked {
            switch event {
            case .output(let task, let host, let stream, let bytes):
                splitter.feed(task: task, host: host, stream: stream, bytes: bytes) { line in views.forEach { $0.line(line) } }
            case .note(let task, let host, let text, let failure):
                note(task, host, text, failure: failure)
            case .stepFinished(let key, let description, let result, _):
                // A last line printed without a line break ends with its step: the next step's
                // output starts a line of its own.
                splitter.flush(task: key.task, host: key.host) { line in views.forEach { $0.line(line) } }
                switch result {
                case .failed(let failure): note(key.task, key.host, "✗ " + failure.message, failure: true)
                // --check: the steps that would change, and those no probe can tell about, are named.
                case .wouldChange: note(key.task, key.host, "would change: " + description)
                case .cannotTell: note(key.task, key.host, "cannot tell (no probe): " + description)
                case .changed, .unchanged, .ok: break
                }
            case .stepRetried(let key, let attempt, let attempts, let message, let delay):
                note(key.task, key.host, "attempt \(attempt) of \(attempts) failed (\(message)); trying again in \(PlannedStep.seconds(delay)) s")
            case .hostFinished(let task, let host, _, _):
                // Whatever the host printed without a final newline is a line too.
                splitter.flush(task: task, host: host) { line in views.forEach { $0.line(line) } }
            case .hostNotStarted(let task, let host, _, let reason):
                // --max-fail kept it from starting: a line of its own, and the views close it
                // like any host that is done.
                note(task, host, "not started: " + reason)
                let done = RunEvent.hostFinished(task: task, host: host, status: .notStarted, duration: 0)
                for view in views { view.observe(done) }
                return
            default: break
            }
            for view in views { view.observe(event) }
        }
    }

    private func note(_ task: String, _ host: String, _ text: String, failure: Bool = false) {
        let note = HostNote(task: task, host: host, text: mask.apply(text), failure: failure)
        for view in views { view.note(note) }
    }

    /// A warning from skp itself, on stderr.
    public func warning(_ text: String) {
        screen.locked { StandardStream.err(style.yellow("warning: ") + text + "\n") }
    }

    /// Text printed as it is (the summary), under the board like any output.
    public func raw(_ text: String) {
        screen.locked { screen.write(text) }
    }
}
