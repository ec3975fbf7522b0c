/// `--dry-run --resume`: which host × step pairs a resume will run, and why; the rest it skips.
public struct ResumePrinter {
    let style: Style

    public init(style: Style) { self.style = style }

    public func render(_ plan: Plan, run: RunRecord) -> String {
        let skips = ResumeLedger.stepsToSkip(plan: plan, done: run.done)
        let earlier = Dictionary(run.steps.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var out = style.bold("Resume of run \(run.id)") + "  \(run.command.visible())\n"
        var toRun = 0, skipped = 0
        var hostsRunning = Set<String>()
        for (taskIndex, task) in plan.tasks.enumerated() {
            var lines: [String] = []
            for (stageIndex, stage) in task.stages.enumerated() {
                for host in stage.hosts {
                    let keys = ResumeLedger.stepKeys(host, task: task, taskIndex: taskIndex, stage: stageIndex)
                    for (key, step) in zip(keys, host.steps) {
                        if let doneIn = skips[key.key] {
                            skipped += 1
                            _ = doneIn
                            continue
                        }
                        toRun += 1
                        hostsRunning.insert(host.name)
                        let why: String
                        switch earlier[key.key] {
                        case nil: why = "never started"
                        case let step? where step.status == "started": why = "cut off while running"
                        case let step? where step.isDone: why = "its value is needed by a step that runs"
                        case let step?: why = step.status + (step.exitCode.map { " (exit \($0))" } ?? "")
                        }
                        lines.append("  \(host.name)  step \(key.index + 1)/\(key.count)  " + style.yellow("run") + style.dim(" · \(why)")
                                     + "\n      " + ResumeLedger.describe(step))
                    }
                }
            }
            if !lines.isEmpty { out += style.bold("==> \(task.name)") + "\n" + lines.joined(separator: "\n") + "\n" }
        }
        out += "\n\(toRun) step(s) on \(hostsRunning.count) host(s) will run; \(skipped) step(s) finished in that run are skipped\n"
        return out
    }
}
