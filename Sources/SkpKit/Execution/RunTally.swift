import Foundation

/// Builds the summary's per-host reports from a run's events.
final class RunTally: RunObserver, @unchecked Sendable {
    // @unchecked: `reports`, `stepsDoneEarlier` and `attachedExitCode` are only touched under `lock`.
    private let lock = NSLock()
    private var reports: [String: HostReport] = [:]
    private var stepsDoneEarlier = 0
    private var attachedExitCode: Int32?


    func observe(_ event: RunEvent) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .stepSkipped:
            stepsDoneEarlier += 1
        case .stepFinished(let key, _, let result, _):
            var report = reports[key.host] ?? HostReport(name: key.host)
            switch result {
            case .changed: report.changed += 1
            case .unchanged: report.unchanged += 1
            case .ok: break
            case .wouldChange: report.wouldChange += 1
            case .cannotTell: report.cannotTell += 1
            case .failed(let failure):
                report.exitCode = failure.exitCode
                report.message = "\(key.task): \(failure.message)"
                report.stderrTail = failure.stderrTail
            }
            reports[key.host] = report
        case .hostFinished(let task, let host, let status, let duration):
            var report = reports[host] ?? HostReport(name: host)
            report.duration += duration
            report.merge(status)
            if report.tasks.last != task { report.tasks.append(task) }
            if ![.failed, .timedOut, .unreachable, .cancelled].contains(status), report.exitCode == nil { report.exitCode = 0 }
            reports[host] = report
        case .hostNotStarted(let task, let host, _, let reason):
            var report = reports[host] ?? HostReport(name: host)
            report.merge(.notStarted)
            if report.tasks.last != task { report.tasks.append(task) }
            if report.message == nil { report.message = "\(task): not started (\(reason))" }
            reports[host] = report
        case .terminalExited(let code):
            attachedExitCode = code
        default:
            break
        }
    }

    func report(order: [String], interrupted: Bool, duration: Double, tasksNotRun: [String], stoppedBy: String?,
                resumedFrom: String?) -> RunReport {
        lock.lock(); defer { lock.unlock() }
        return RunReport(hosts: order.compactMap { reports[$0] }, interrupted: interrupted, duration: duration,
                         tasksNotRun: tasksNotRun, stoppedBy: stoppedBy, resumedFrom: resumedFrom, stepsDoneEarlier: stepsDoneEarlier,
                         attachedExitCode: attachedExitCode)
    }
}
