/// The journal records each step's start and end as it happens, from the run's events.
extension Journal: RunObserver {
    public func observe(_ event: RunEvent) {
        switch event {
        case .stepStarted(let key, let description):
            stepStarted(key, description: description)
        case .stepSkipped(let key, let description, let run):
            stepSkipped(key, description: description, doneIn: run)
        case .stepFinished(let key, _, let result, let duration):
            // A step cut off by a lost connection did not finish: its start line stays alone,
            // and --resume runs it again.
            if case .failed(let failure) = result {
                if failure.cutOff { return }
                stepFinished(key, status: result.status, exitCode: failure.exitCode, duration: duration, message: failure.message)
            } else {
                stepFinished(key, status: result.status, exitCode: 0, duration: duration, message: nil)
            }
        case .stepRetried(let key, let attempt, let attempts, let message, _):
            stepRetried(key, attempt: attempt, of: attempts, message: message)
        case .hostNotStarted(_, _, let steps, let reason):
            for step in steps { stepNotStarted(step.key, description: step.description, reason: reason) }
        case .stageFinished:
            sync()
        default:
            break
        }
    }
}
