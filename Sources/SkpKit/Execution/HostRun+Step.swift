import Foundation

/// One step on its own: its check, then what it does, tried again while `retry` allows.
extension HostRun {
    /// The step, tried again after a failure while `retry` allows (a failure, or a timeout; never
    /// an unreachable host or Ctrl-C). Each failed attempt is an event: output and journal show it.
    func attempts(of step: PlannedStep, key: StepKey) throws -> StepResult {
        let allowed = step.retry?.attempts ?? 1
        var attempt = 1
        while true {
            do {
                return try runStep(step)
            } catch let failure as StepFailure where attempt < allowed && [.failed, .timedOut].contains(failure.status) {
                let delay = step.retry?.delay ?? 0
                context.send(.stepRetried(key, attempt: attempt, of: allowed, message: context.mask.apply(failure.message), delay: delay))
                try pause(delay)
                attempt += 1
            }
        }
    }

    /// Sleeps, waking for Ctrl-C.
    func pause(_ seconds: Double) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if context.cancel.isCancelled { throw StepFailure(status: .cancelled, message: "interrupted") }
            usleep(UInt32(min(0.05, max(0, end.timeIntervalSinceNow)) * 1_000_000))
        }
    }

    func runStep(_ step: PlannedStep) throws -> StepResult {
        let onControl = isLocal || { if case .local = step.kind { return true } else { return false } }()
        // `unless "check"`: when the check succeeds the step is already done (or, for `fail`,
        // not needed) and is reported unchanged.
        if let check = step.unless {
            let status = try execute(check, onControl: onControl, quiet: true)
            if status.status.exitCode == 0 && !status.status.timedOut { return .unchanged }
        }
        switch step.kind {
        case .run(let command), .local(let command), .show(let command):
            try succeeded(try execute(command, onControl: onControl, quiet: false), command: command)
            return step.changesHost ? .changed : .ok
        case .capture(let name, let command, let local):
            let result = try execute(command, onControl: local || isLocal, quiet: false, captureStdout: true)
            try succeeded(result, command: command)
            let value = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            context.keep(value, as: name + "@" + host.name)
            return .ok
        case .upload(let content, let path, let mode):
            let bytes = Array(content.render(captures: context.capturedValues).utf8)
            let session = try context.connection(for: host, password: password)
            do {
                return try session.upload(bytes, to: path, mode: Int32(mode ?? Self.uploadMode)) ? .changed : .unchanged
            } catch TransportError.lost(let message) {
                throw StepFailure(status: .unreachable, message: message, cutOff: true)
            } catch let error as TransportError where isLocal {
                throw StepFailure(status: .failed, message: error.description)
            } catch {
                throw StepFailure(status: .failed, message: "upload to \(path) failed: \(error)")
            }
        case .download(let remote, let local):
            return try download(remote, to: local, checkOnly: false)
        case .echo(let text):
            context.send(.note(task: task.name, host: host.name, text: context.mask.apply(text.render(captures: context.capturedValues, masked: true)),
                               failure: false))
            return .ok
        case .attach(let command):
            return try attach(command)
        case .fail(let text):
            throw StepFailure(status: .failed, message: text.render(captures: context.capturedValues, masked: true))
        case .until(let check, let every, let timeout):
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let result = try execute(check, onControl: onControl, quiet: true)
                if result.status.exitCode == 0 && !result.status.timedOut { return .ok }
                guard Date().addingTimeInterval(every) < deadline else {
                    throw StepFailure(status: .failed, message: "not true after \(Self.seconds(timeout)) s: \(check)",
                                      exitCode: result.status.exitCode, stderrTail: result.stderrTail)
                }
                try pause(every)
            }
        }
    }
}
