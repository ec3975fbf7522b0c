/// Prints a plan for people: per task, per stage, each host's steps with the exact command,
/// secrets masked and captured values shown as {{name}}. Control characters and bidi overrides
/// from values are shown escaped (`\x1b`), so nothing in an inventory can hide part of a command.

public struct PlanPrinter {
    public var style: Style

    public init(style: Style) { self.style = style }

    public func render(_ plan: Plan) -> String {
        let width = plan.tasks.flatMap { $0.stages.flatMap { $0.hosts.map(\.name.count) } }.max() ?? 5
        var out = ""
        let hostCount = Set(plan.tasks.flatMap { $0.stages.flatMap { $0.hosts.map(\.name) } }).count
        out += style.bold("Plan: \(plan.tasks.count) task\(plan.tasks.count == 1 ? "" : "s"), \(hostCount) host\(hostCount == 1 ? "" : "s")") + style.dim("  (dry run: no host is contacted)") + "\n"
        for task in plan.tasks {
            out += "\n" + style.bold(task.name)
            let args = task.arguments.filter(\.isSet)
            if !args.isEmpty { out += " " + args.map { "--\($0.name)=\(ShellQuote.quote($0.display))" }.joined(separator: " ").visible() }
            if let reason = task.reason { out += style.dim("  (\(reason.visible()))") }
            out += "\n"
            if task.stages.isEmpty { out += style.dim("  nothing to do: no host matches") + "\n" }
            for stage in task.stages {
                out += "  " + style.cyan("on \(stage.target)") + (stage.serial == nil ? "" : style.dim(Self.batches(stage))) + "\n"
                for host in stage.hosts {
                    for (i, step) in host.steps.enumerated() {
                        let label = i == 0 ? host.name : ""
                        let index = host.host ?? 0
                        out += "    " + style.host(label.padded(to: width), index: index)
                        out += "  " + describe(step) + "\n"
                        if let unless = step.unless {
                            out += "    " + String(repeating: " ", count: width) + "  " + style.dim("  unless: \(Self.shown(unless))") + "\n"
                        }
                    }
                }
            }
        }
        // Masked by value too: a secret's text that reached the plan another way is not shown.
        return SecretMask(plan.secrets).apply(out)
    }

    /// How a serial stage takes its hosts: " serial 40%, 2 of 5 hosts at a time".
    static func batches(_ stage: Stage) -> String {
        guard let serial = stage.serial, let size = stage.batchSize else { return "" }
        let written = serial == .hosts(1) ? "serial" : "serial \(serial)"
        let share = if case .percent = serial { " of \(stage.hosts.count)" } else { "" }
        return " \(written), " + (size == 1 ? "one host" : "\(size)\(share) hosts") + " at a time"
    }

    /// One step as the plan shows it (the journal and `skp runs` use it uncoloured).
    func describe(_ step: PlannedStep) -> String { step.describe(style: style) }

    static func shown(_ command: Command) -> String { command.shown }
}
