import Foundation

/// The status board under the output, on a terminal only: a counts line and one line per host
/// of the current stage (`StatusBoard`), redrawn on every change and twice a second.
final class StatusBoardView: LiveView, ScreenOverlay, @unchecked Sendable {
    // @unchecked: every field is touched only under the screen's lock (the ticker thread takes it).
    let screen: Screen
    let style: Style
    /// More to say on the counts line (merged blocks so far), read under the lock.
    let extra: (() -> String?)?
    private var board = StatusBoard()
    private var progressText: String?
    private var drawnLines = 0
    private var ticker: Thread?
    /// A terminal is attached to a host: the board must not draw over it.
    private var paused = false

    init(screen: Screen, style: Style, extra: (() -> String?)? = nil) {
        self.screen = screen
        self.style = style
        self.extra = extra
        screen.overlay = self
    }

    func line(_ line: OutputLine) { board.note(line.host, line: line.text.visible()) }

    func observe(_ event: RunEvent) {
        switch event {
        case .stageQueued(let hosts):
            change { $0.reset(hosts) }
            startTicker()
        case .progress(let text):
            change { board in
                progressText = text
                if text == nil { board.clear() }
            }
        case .connecting(let host): change { $0.set(host, .connecting) }
        case .connected(let host): change { $0.connected(host) }
        case .stepStarted(let key, _): change { $0.set(key.host, .running(key.index + 1, key.count)) }
        case .hostFinished(_, let host, let status, _): change { $0.set(host, .done(status)) }
        // A download's percentage ends the host's line until its step prints or ends.
        case .stepProgress(_, let host, let text): change { $0.note(host, line: text.visible()) }
        case .terminal(let attached):
            if attached { clear() }
            paused = attached
        default: break
        }
    }

    private func change(_ body: (inout StatusBoard) -> Void) {
        clear()
        body(&board)
        draw()
    }

    /// Redraws twice a second so elapsed times move while nothing else happens.
    private func startTicker() {
        guard ticker == nil else { return }
        let thread = Thread { [weak self] in
            while true {
                usleep(500_000)
                guard let self else { return }
                let over: Bool = self.screen.locked {
                    if self.board.isEmpty { self.ticker = nil; return true }
                    self.clear()
                    self.draw()
                    return false
                }
                if over { return }
            }
        }
        ticker = thread
        thread.start()
    }

    func clear() {
        guard drawnLines > 0 else { return }
        let up = drawnLines > 1 ? "\u{1B}[\(drawnLines - 1)A" : ""
        StandardStream.err("\r\(up)\u{1B}[J")
        drawnLines = 0
    }

    func draw() {
        guard !paused else { return }
        var size = winsize()
        let known = ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0
        let rows = known ? Int(size.ws_row) : 24
        let columns = min(max(known ? Int(size.ws_col) : 80, StatusBoard.columnRange.lowerBound), StatusBoard.columnRange.upperBound)
        var lines = board.lines(rows: max(3, rows - 4), columns: columns, style: style)
        let counts = [progressText, progressText == nil ? nil : extra?()].compactMap { $0 }.joined(separator: " · ")
        if !counts.isEmpty { lines.insert(style.dim(String(counts.prefix(columns - 1))), at: 0) }
        guard !lines.isEmpty else { return }
        StandardStream.err(lines.joined(separator: "\n"))
        drawnLines = lines.count
    }
}
