/// Names one host × step of a plan the same way in every run of the same command line, so a
/// resume can tell which pairs an earlier run finished. The masked command is part of the key:
/// if the inventory or task changed what a step does, it is not the same step.
public struct StepKey: Sendable, Hashable {
    public var task: String
    public var host: String
    public var index: Int
    public var count: Int
    public var key: String

    public init(taskIndex: Int, task: String, stage: Int, host: String, index: Int, count: Int, description: String) {
        self.task = task
        self.host = host
        self.index = index
        self.count = count
        key = "\(taskIndex):\(task)/\(stage)/\(host)/\(index):\(ContentHash.of(description.utf8))"
    }
}

/// What `--resume` skips: the step keys of a plan, and which of them an earlier run finished.
public enum ResumeLedger {
    public static func stepKeys(_ host: HostPlan, task: PlannedTask, taskIndex: Int, stage: Int) -> [StepKey] {
        host.steps.enumerated().map { index, step in
            StepKey(taskIndex: taskIndex, task: task.name, stage: stage, host: host.name, index: index,
                    count: host.steps.count, description: describe(step))
        }
    }

    /// The steps a resume skips: finished in the earlier run, except captures whose value a step
    /// that does run needs (captured values are never written down, so they are taken again).
    public static func stepsToSkip(plan: Plan, done: [String: String]) -> [String: String] {
        var skips = done
        var changed = true
        while changed {
            changed = false
            var needed = Set<String>()
            var captures: [(key: String, name: String)] = []
            for (taskIndex, task) in plan.tasks.enumerated() {
                for (stageIndex, stage) in task.stages.enumerated() {
                    for host in stage.hosts {
                        for (key, step) in zip(stepKeys(host, task: task, taskIndex: taskIndex, stage: stageIndex), host.steps) {
                            if skips[key.key] == nil { needed.formUnion(step.capturedNames) }
                            if case .capture(let name, _, _) = step.kind { captures.append((key.key, name + "@" + host.name)) }
                        }
                    }
                }
            }
            for capture in captures where skips[capture.key] != nil && needed.contains(capture.name) {
                skips[capture.key] = nil
                changed = true
            }
        }
        return skips
    }

    /// A step as the plan prints it, uncoloured: what keys, the journal and `skp runs` show.
    public static func describe(_ step: PlannedStep) -> String {
        step.describe(style: Style(enabled: false))
    }
}
