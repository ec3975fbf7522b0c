extension HostRun {
    /// `--check`: what the step would do, changing nothing. Its probe (`unless`) answers when it has
    /// one; reads (`show`, `capture`) run; an upload or a download compares the file; anything else cannot tell.
    func probe(_ step: PlannedStep) throws -> StepResult {
        let onControl = isLocal || { if case .local = step.kind { return true } else { return false } }()
        if let check = step.unless {
            let result = try execute(check, onControl: onControl, quiet: true)
            if result.status.exitCode == 0 && !result.status.timedOut { return .unchanged }
            if case .fail(let text) = step.kind {
                // A requirement that does not hold: the run itself would stop this host here.
                throw StepFailure(status: .failed, message: "would fail: " + text.render(captures: context.capturedValues, masked: true))
            }
            return .wouldChange
        }
        switch step.kind {
        case .show, .capture, .echo:
            return try runStep(step)
        case .fail:
            return try runStep(step)
        case .upload(let content, let path, let mode):
            let bytes = Array(content.render(captures: context.capturedValues).utf8)
            let session = try context.connection(for: host, password: password)
            do {
                return try session.wouldChange(bytes, at: path, mode: Int32(mode ?? Self.uploadMode)) ? .wouldChange : .unchanged
            } catch TransportError.lost(let message) {
                throw StepFailure(status: .unreachable, message: message, cutOff: true)
            } catch {
                return .cannotTell
            }
        case .download(let remote, let local):
            return try download(remote, to: local, checkOnly: true)
        case .until(let check, _, _):
            let result = try execute(check, onControl: onControl, quiet: true)
            return result.status.exitCode == 0 && !result.status.timedOut ? .unchanged : .cannotTell
        case .run, .local, .attach:
            return .cannotTell
        }
    }
}
