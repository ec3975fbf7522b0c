import Foundation

/// `skp runs` (recent runs) and `skp runs ID` (one run, host × step), as tables or JSON.
public struct RunsPrinter {
    let style: Style

    public init(style: Style) { self.style = style }

    public func list(_ runs: [RunRecord], folder: String) -> String {
        guard !runs.isEmpty else { return "no runs recorded in \(folder) yet\n" }
        var rows = [["RUN", "STARTED", "TIME", "EXIT", "HOSTS", "NOT DONE", "COMMAND"]]
        for run in runs {
            rows.append([run.id, run.started.prefix(19).replacingOccurrences(of: "T", with: " "),
                         run.durationMs.map { Self.seconds($0) } ?? "-", exit(run), String(run.hostCount),
                         String(run.hostsNotDoneCount), run.command.visible()])
        }
        return table(rows) + style.dim("skp runs ID shows one; skp --resume ID reruns what it did not finish\n")
    }

    public func show(_ run: RunRecord) -> String {
        var out = style.bold("run \(run.id)") + "  \(run.command.visible())\n"
        out += "started \(run.started)"
        out += run.durationMs.map { ", took \(Self.seconds($0))" } ?? ""
        out += ", exit \(exit(run))"
        out += run.resumeOf.map { ", resumes \($0)" } ?? ""
        out += "\n\n"
        var rows = [["HOST", "TASK", "STEP", "STATUS", "EXIT", "TIME", "COMMAND"]]
        for step in run.steps {
            let status = step.status == "done earlier" ? "done in \(step.doneIn ?? "?")" : step.status
            rows.append([step.host, step.task, "\(step.index + 1)/\(step.count)", status, step.exitCode.map(String.init) ?? "",
                         step.durationMs.map { Self.seconds($0) } ?? "", step.command])
        }
        out += table(rows)
        let open = run.steps.filter { !$0.isDone }
        if !open.isEmpty {
            out += "\n\(open.count) step(s) on \(Set(open.map(\.host)).count) host(s) not done: skp --resume \(run.id)\n"
        }
        return out
    }

    public func json(_ runs: [RunRecord]) -> String {
        // A listed run carries only its summary; the JSON has each run's steps, so read them now.
        JSONWriter.array(runs.map { run in
            runJSON(run.summary == nil ? run : (try? RunHistory.load(path: run.path)) ?? run)
        })
    }

    public func runJSON(_ run: RunRecord) -> String {
        let steps = run.steps.map { step in
            JSONWriter.object([("host", JSONWriter.string(step.host)), ("task", JSONWriter.string(step.task)),
                               ("step", String(step.index + 1)), ("of", String(step.count)),
                               ("status", JSONWriter.string(step.status)), ("exit_code", step.exitCode.map(String.init) ?? "null"),
                               ("duration_ms", step.durationMs.map(String.init) ?? "null"),
                               ("command", JSONWriter.string(step.command)), ("message", step.message.map(JSONWriter.string) ?? "null"),
                               ("done_in", step.doneIn.map(JSONWriter.string) ?? "null")])
        }
        return JSONWriter.object([("id", JSONWriter.string(run.id)), ("started", JSONWriter.string(run.started)),
                                  ("command", JSONWriter.string(run.command)),
                                  ("exit_code", run.exitCode.map(String.init) ?? "null"),
                                  ("finished", run.exitCode == nil ? "false" : "true"),
                                  ("duration_ms", run.durationMs.map(String.init) ?? "null"),
                                  ("resume_of", run.resumeOf.map(JSONWriter.string) ?? "null"),
                                  ("steps", JSONWriter.array(steps))])
    }

    private func exit(_ run: RunRecord) -> String {
        guard let code = run.exitCode else { return "cut off" }
        return run.interrupted ? "\(code) (Ctrl-C)" : String(code)
    }

    private func table(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, row in
            let line = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            return index == 0 ? style.bold(line) : line
        }.joined(separator: "\n") + "\n"
    }

    static func seconds(_ ms: Int) -> String { ms < 10_000 ? String(format: "%.2f s", Double(ms) / 1000) : "\(ms / 1000) s" }
}
