/// A line about a host from skp itself (an echo, a failure, a retry, a verbose command), masked.
struct HostNote {
    var task: String
    var host: String
    var text: String
    var failure: Bool
}

/// One way of showing a run live: the stream, grouped blocks, merged blocks, JSON events, the
/// status board. `LiveOutput` calls every method under the one output lock, with command output
/// already split into masked lines, so a view only decides what its lines look like.
protocol LiveView: AnyObject {
    func line(_ line: OutputLine)
    func note(_ note: HostNote)
    /// Every event of the run, after the lines and notes it carried have been given.
    func observe(_ event: RunEvent)
}

extension LiveView {
    func line(_ line: OutputLine) {}
    func note(_ note: HostNote) {}
    func observe(_ event: RunEvent) {}
}

extension Style {
    /// `==> task  (why)`, as every text view starts a task.
    func taskHeading(_ task: PlannedTask) -> String {
        bold("==> \(task.name)") + (task.reason.map { dim("  (\($0.visible()))") } ?? "") + "\n"
    }

    /// A host's status as the block headings show it: red when something went wrong.
    func status(_ status: HostReport.Status) -> String {
        switch status {
        case .failed, .timedOut, .unreachable, .notStarted: red(status.rawValue)
        case .ok, .changed, .wouldChange, .skipped, .cancelled: green(status.rawValue)
        }
    }
}
