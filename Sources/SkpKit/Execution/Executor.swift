import Foundation

/// Runs a plan: tasks in order; within a task, stages in order; within a stage, hosts in
/// parallel (at most `forks` at once; `serial N`: in batches of N, one batch after the other),
/// each running its steps in order on its one connection (`HostRun`). A failed step stops that
/// host; the run stops after a task that failed somewhere, unless `keepGoing`, and at once when
/// `maxFail` of a stage's hosts have failed (the hosts not started are told as such). What
/// happens is told to observers as `RunEvent`s (the views, the journal); failures are values,
/// never exceptions escaping the fan-out.
public final class Executor: @unchecked Sendable {
    // @unchecked: the observers are set before `run` and only read while it runs; the shared
    // state of a run lives in `RunContext`, behind its lock.
    let plan: Plan
    let settings: RunSettings
    public let cancel = Cancellation()
    public let mask: SharedMask
    private let transport: Transport
    private let endpoints: EndpointResolver
    private var observers: [RunObserver] = []
    /// Steps an earlier run finished (`--resume`): key → that run's id. They are skipped.
    private var resume: (run: String, done: [String: String])?

    public init(plan: Plan, transport: Transport, settings: RunSettings, endpoints: EndpointResolver, mask: SharedMask) {
        self.plan = plan
        self.transport = transport
        self.settings = settings
        self.endpoints = endpoints
        self.mask = mask
    }

    public func observe(with observer: RunObserver) { observers.append(observer) }

    public func resuming(_ run: String, done: [String: String]) { resume = (run, done) }

    public func run() -> RunReport {
        let start = Date()
        let tally = RunTally()
        let everyone = observers + [tally]
        let context = RunContext(plan: plan, transport: transport, endpoints: endpoints, settings: settings, cancel: cancel,
                                 mask: mask, emit: { event in for observer in everyone { observer.observe(event) } })
        var notRun: [String] = []
        var stopped = false
        var stoppedBy: String?
        let skips = resume.map { ResumeLedger.stepsToSkip(plan: plan, done: $0.done) } ?? [:]
        for (taskIndex, task) in plan.tasks.enumerated() {
            if stopped || cancel.isCancelled { notRun.append(task.name); continue }
            var failed = false
            var announced = false
            context.connectEarly(from: taskIndex, width: settings.forks)
            for (stageIndex, stage) in task.stages.enumerated() {
                let keys = { (host: HostPlan) in ResumeLedger.stepKeys(host, task: task, taskIndex: taskIndex, stage: stageIndex) }
                // Resuming: a host whose steps here all finished earlier is left alone entirely.
                var hosts: [HostPlan] = []
                for host in stage.hosts where !context.isExcluded(host.name) {
                    let hostKeys = keys(host)
                    if !hostKeys.isEmpty, hostKeys.allSatisfy({ skips[$0.key] != nil }) {
                        for (key, step) in zip(hostKeys, host.steps) {
                            context.send(.stepSkipped(key, description: mask.apply(ResumeLedger.describe(step)), doneIn: skips[key.key]!))
                        }
                    } else {
                        hosts.append(host)
                    }
                }
                if hosts.isEmpty { continue }
                if !announced { context.send(.taskStarted(task)); announced = true }
                context.send(.stageQueued(hosts: hosts.map(\.name)))
                context.send(.progress(hosts.count > 1 ? "[\(task.name)] 0/\(hosts.count) done" : nil))
                // --max-fail counts the stage's hosts that failed so far, earlier stages included.
                let failedBefore = stage.hosts.filter { context.isExcluded($0.name) }.count
                let fanOut = FanOut(width: settings.forks, cancel: cancel, batch: stage.batchSize,
                                    failLimit: settings.maxFail.map { $0.of(stage.hosts.count) }, failedBefore: failedBefore)
                let results = fanOut.run(hosts.count, progress: { counts in
                    if hosts.count > 1 { context.send(.progress("[\(task.name)] " + counts)) }
                }) { index in
                    HostRun(context: context, host: hosts[index], task: task, password: Self.sshPassword(of: task),
                            keys: keys(hosts[index]), skips: skips).run()
                }
                let failures = results.filter { $0 == false }.count
                if failures > 0 { failed = true }
                if let maxFail = settings.maxFail, !cancel.isCancelled, failedBefore + failures >= maxFail.of(stage.hosts.count) {
                    let waiting = zip(hosts, results).filter { $0.1 == nil }.map(\.0)
                    stoppedBy = "max-fail \(maxFail) reached: \(failedBefore + failures) of \(stage.hosts.count) hosts failed"
                        + (waiting.isEmpty ? "" : "; " + waiting.map(\.name).joined(separator: ", ") + " not started")
                    for host in waiting {
                        notStarted(host, keys: keys(host), task: task, skips: skips, reason: "max-fail \(maxFail) reached", context: context)
                    }
                }
                context.send(.stageFinished)
                if cancel.isCancelled || stoppedBy != nil { break }
            }
            if failed && !settings.keepGoing { stopped = true }
            // --max-fail stops the run even with --keep-going: it is the limit the user set on damage.
            if stoppedBy != nil { stopped = true }
        }
        context.send(.progress(nil))
        context.closeConnections()
        return tally.report(order: plan.inventory.hosts.map(\.name) + ["local"], interrupted: cancel.isCancelled,
                            duration: Date().timeIntervalSince(start), tasksNotRun: notRun, stoppedBy: stoppedBy,
                            resumedFrom: resume?.run)
    }

    /// A host `--max-fail` kept from starting: its steps an earlier run finished stay recorded as
    /// done (a resume of this run skips them too); the others are told as not started.
    private func notStarted(_ host: HostPlan, keys: [StepKey], task: PlannedTask, skips: [String: String], reason: String,
                            context: RunContext) {
        var steps: [(key: StepKey, description: String)] = []
        for (key, step) in zip(keys, host.steps) {
            let description = mask.apply(ResumeLedger.describe(step))
            if let earlier = skips[key.key] {
                context.send(.stepSkipped(key, description: description, doneIn: earlier))
            } else {
                steps.append((key, description))
            }
        }
        context.send(.hostNotStarted(task: task.name, host: host.name, steps: steps, reason: reason))
    }

    /// A task's secret parameter named `password` logs in to hosts that have no key yet
    /// (`ssh.copy-id -p`), as the guide's tasks did.
    static func sshPassword(of task: PlannedTask) -> Secret? {
        task.arguments.first { $0.name == "password" && $0.secretValue?.isEmpty == false }?.secretValue
    }
}
