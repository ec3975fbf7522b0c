/// The one summary at the end of a run: a row per host (status, exit code, duration, why),
/// the last stderr lines of failures, and one honest total.
public struct SummaryPrinter {
    public var style: Style

    public init(style: Style) { self.style = style }

    public func render(_ report: RunReport) -> String {
        let resumed = report.resumedFrom.map {
            style.dim("resumed run \($0): \(report.stepsDoneEarlier) step(s) it had finished were skipped") + "\n"
        } ?? ""
        guard !report.hosts.isEmpty else {
            return resumed + style.dim(report.resumedFrom == nil ? "nothing ran" : "nothing left to run") + "\n"
        }
        let width = max(4, report.hosts.map(\.name.count).max() ?? 4)
        var out = "\n" + style.bold("Summary") + "\n"
        out += "  " + "host".padding(toLength: width, withPad: " ", startingAt: 0) + "  status       exit  time     detail\n"
        for host in report.hosts {
            let status = host.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
            let coloured: String
            switch host.status {
            case .ok: coloured = style.green(status)
            case .changed, .wouldChange: coloured = style.yellow(status)
            case .skipped, .cancelled: coloured = style.dim(status)
            default: coloured = style.red(status)
            }
            let exit = (host.exitCode.map { String($0) } ?? "-").padding(toLength: 4, withPad: " ", startingAt: 0)
            let time = Self.duration(host.duration).padding(toLength: 7, withPad: " ", startingAt: 0)
            var detail = host.message?.visible() ?? (host.wouldChange + host.cannotTell > 0 || host.status == .wouldChange
                ? "\(host.wouldChange) would change, \(host.unchanged) unchanged, \(host.cannotTell) cannot tell"
                : "\(host.changed) changed, \(host.unchanged) unchanged")
            if detail.count > 160 { detail = String(detail.prefix(157)) + "..." }
            out += "  " + host.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(coloured)  \(exit)  \(time)  \(detail)\n"
            if [.failed, .timedOut].contains(host.status) {
                for line in host.stderrTail.suffix(3) {
                    out += "  " + String(repeating: " ", count: width) + style.dim("    stderr: ") + line.visible() + "\n"
                }
            }
        }
        var counts: [String] = []
        for status in [HostReport.Status.ok, .changed, .wouldChange, .failed, .timedOut, .unreachable, .notStarted, .cancelled, .skipped] {
            let n = report.hosts.filter { $0.status == status }.count
            if n > 0 { counts.append("\(n) \(status.rawValue)") }
        }
        out += "\(report.hosts.count) host\(report.hosts.count == 1 ? "" : "s"): " + counts.joined(separator: ", ")
        out += " in \(Self.duration(report.duration))"
        if let stop = report.stoppedBy { out += "\n" + style.red(stop.visible() + "; the run stopped there") }
        if !report.tasksNotRun.isEmpty {
            let why = report.stoppedBy == nil ? "an earlier task failed; --keep-going runs them" : "--max-fail stopped the run"
            out += "\n" + style.red("not run (\(why)): ") + report.tasksNotRun.joined(separator: ", ")
        }
        if report.interrupted { out += "\n" + style.red("interrupted") }
        return out + "\n" + resumed
    }

    public func json(_ report: RunReport) -> String {
        JSONWriter.object([
            ("event", "\"summary\""),
            ("exit_code", String(report.exitCode.rawValue)),
            ("duration_ms", String(Int(report.duration * 1000))),
            ("interrupted", report.interrupted ? "true" : "false"),
            ("tasks_not_run", JSONWriter.array(report.tasksNotRun.map(JSONWriter.string))),
            ("stopped_by", report.stoppedBy.map(JSONWriter.string) ?? "null"),
            ("resumed_from", report.resumedFrom.map(JSONWriter.string) ?? "null"),
            ("steps_done_earlier", String(report.stepsDoneEarlier)),
            ("hosts", JSONWriter.array(report.hosts.map { host in
                JSONWriter.object([
                    ("host", JSONWriter.string(host.name)),
                    ("status", JSONWriter.string(host.status.rawValue)),
                    ("exit_code", host.exitCode.map { String($0) } ?? "null"),
                    ("duration_ms", String(Int(host.duration * 1000))),
                    ("changed", String(host.changed)),
                    ("unchanged", String(host.unchanged)),
                    ("would_change", String(host.wouldChange)),
                    ("cannot_tell", String(host.cannotTell)),
                    ("message", host.message.map(JSONWriter.string) ?? "null"),
                    ("stderr_tail", JSONWriter.array(host.stderrTail.map(JSONWriter.string))),
                ])
            })),
        ])
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s"
    }
}
