import Foundation

/// The counts line and the status board under the output, on a terminal only.
extension OutputSink {
    // MARK: progress and the status board

    /// The counts line over the status board, on a terminal only: hosts done / failed / running.
    /// `nil` ends the board (the run is over; the summary follows).
    public func progress(_ text: String?) {
        guard progressEnabled else { return }
        lock.lock(); defer { lock.unlock() }
        clearProgress()
        progressText = text
        if text == nil { board.clear() }
        drawProgress()
    }

    /// A new stage: these hosts wait their turn.
    public func boardQueued(_ hosts: [String]) {
        guard progressEnabled else { return }
        lock.lock(); defer { lock.unlock() }
        clearProgress()
        board.reset(hosts)
        drawProgress()
        startTicker()
    }

    public func boardConnecting(_ host: String) { boardUpdate(host, .connecting) }

    public func boardConnected(_ host: String) {
        guard progressEnabled else { return }
        lock.lock(); defer { lock.unlock() }
        clearProgress()
        board.connected(host)
        drawProgress()
    }
    public func boardRunning(_ host: String, step: Int, of count: Int) { boardUpdate(host, .running(step, count)) }

    /// A running host's line ends with `text` (a download's percentage) until its step prints
    /// or ends; nothing is written to the output.
    func boardNote(_ host: String, _ text: String) {
        guard progressEnabled else { return }
        lock.lock(); defer { lock.unlock() }
        clearProgress()
        board.note(host, line: mask(text).visible())
        drawProgress()
    }

    func boardUpdate(_ host: String, _ state: StatusBoard.State) {
        guard progressEnabled else { return }
        lock.lock(); defer { lock.unlock() }
        clearProgress()
        board.set(host, state)
        drawProgress()
    }

    /// Redraws twice a second so elapsed times move while nothing else happens.
    func startTicker() {
        guard ticker == nil else { return }
        let thread = Thread { [weak self] in
            while true {
                usleep(500_000)
                guard let self else { return }
                self.lock.lock()
                defer { self.lock.unlock() }
                if self.board.isEmpty { self.ticker = nil; return }
                self.clearProgress()
                self.drawProgress()
            }
        }
        ticker = thread
        thread.start()
    }

    func clearProgress() {
        guard drawnLines > 0 else { return }
        let up = drawnLines > 1 ? "\u{1B}[\(drawnLines - 1)A" : ""
        StandardStream.err("\r\(up)\u{1B}[J")
        drawnLines = 0
    }

    /// Stops (and clears) or resumes the status board, around an attached terminal.
    public func pauseBoard(_ paused: Bool) {
        lock.lock(); defer { lock.unlock() }
        if paused { clearProgress() }
        boardPaused = paused
    }

    func drawProgress() {
        guard !boardPaused else { return }
        var size = winsize()
        let known = ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0
        let rows = known ? Int(size.ws_row) : 24
        let columns = min(max(known ? Int(size.ws_col) : 80, StatusBoard.columnRange.lowerBound), StatusBoard.columnRange.upperBound)
        var lines = board.lines(rows: max(3, rows - 4), columns: columns, style: style)
        if let progressText { lines.insert(style.dim(String(progressText.prefix(columns - 1))), at: 0) }
        guard !lines.isEmpty else { return }
        StandardStream.err(lines.joined(separator: "\n"))
        drawnLines = lines.count
    }

    /// Writes under the lock, keeping the progress line at the bottom.
    func write(_ text: String) {
        clearProgress()
        StandardStream.out(text)
        drawProgress()
    }

    public func raw(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        write(text)
    }
}
