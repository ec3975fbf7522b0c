/// The live views (stream, grouped blocks, JSON, the status board) follow the run's events.
extension OutputSink: RunObserver {
    public func observe(_ event: RunEvent) {
        switch event {
        case .taskStarted(let task): taskStarted(task)
        case .stageQueued(let hosts): boardQueued(hosts)
        case .progress(let text): progress(text)
        case .connecting(let host): boardConnecting(host)
        case .connected(let host): boardConnected(host)
        case .stepStarted(let key, _): boardRunning(key.host, step: key.index + 1, of: key.count)
        case .output(let task, let host, let stream, let bytes): output(task: task, host: host, stream: stream, bytes: bytes)
        case .note(let task, let host, let text, let failure): note(task: task, host: host, text, failure: failure)
        case .stepProgress(_, let host, let text): boardNote(host, text)
        case .stepFinished(let key, let description, let result, let duration):
            switch result {
            case .failed(let failure): note(task: key.task, host: key.host, "✗ " + failure.message, failure: true)
            // --check: the steps that would change, and those no probe can tell about, are named.
            case .wouldChange: note(task: key.task, host: key.host, "would change: " + description)
            case .cannotTell: note(task: key.task, host: key.host, "cannot tell (no probe): " + description)
            default: break
            }
            stepEvent(task: key.task, host: key.host, step: description, status: result.status, exitCode: result.exitCode, duration: duration)
        case .hostFinished(let task, let host, let status, _): finishHost(task: task, host: host, status: status.rawValue)
        case .hostNotStarted(let task, let host, _, let reason):
            note(task: task, host: host, "not started: " + reason)
            finishHost(task: task, host: host, status: HostReport.Status.notStarted.rawValue)
        case .terminal(let attached): pauseBoard(attached)
        case .stepRetried(let key, let attempt, let attempts, let message, let delay):
            note(task: key.task, host: key.host, "attempt \(attempt) of \(attempts) failed (\(message)); trying again in \(PlannedStep.seconds(delay)) s")
        case .stepSkipped, .stageFinished, .terminalExited: break
        }
    }
}
