import Foundation

/// One host's steps of one stage, in order, on its one connection: each step's start and end
/// become events; the first failure stops the host. The unit the latency work turns into one
/// remote script.
struct HostRun {
    let context: RunContext
    let host: HostPlan
    let task: PlannedTask
    /// The SSH password a task was given (`ssh.copy-id -p`), for hosts without a key yet.
    let password: Secret?
    let keys: [StepKey]
    /// Step key → the earlier run that finished it (`--resume`).
    let skips: [String: String]

    /// Runs the steps; false when the host failed (it then sits out the rest of the run).
    /// Consecutive steps that can go together go as one script on one channel (`StepBatch`).
    func run() -> Bool {
        let start = Date()
        var status: HostReport.Status = .ok
        defer {
            context.send(.hostFinished(task: task.name, host: host.name, status: status, duration: Date().timeIntervalSince(start)))
        }
        var index = 0
        while index < host.steps.count {
            if context.cancel.isCancelled { status = .cancelled; return false }
            let key = keys[index]
            if let earlier = skips[key.key] {
                context.send(.stepSkipped(key, description: describe(index), doneIn: earlier))
                index += 1
                continue
            }
            let batch = batchable(from: index)
            let results = batch.isEmpty ? [runOne(index)] : runBatch(batch)
            for result in results {
                switch result {
                case .changed: if status == .ok { status = .changed }
                case .wouldChange: status = .wouldChange
                case .unchanged, .ok, .cannotTell: break
                case .failed(let failure):
                    status = failure.status
                    context.exclude(host.name)
                    return false
                }
            }
            // A batch cut short without a failure (an upload written on its own) goes on with
            // the next step; one that ran nothing was interrupted.
            if results.isEmpty { status = .cancelled; return false }
            index += results.count
        }
        return true
    }

    /// The step as output, journal and resume name it, masked.
    func describe(_ index: Int) -> String { context.mask.apply(ResumeLedger.describe(host.steps[index])) }

    /// A step is starting: said in order (the verbose line, then the event).
    func announce(_ index: Int) {
        if context.settings.verbose {
            context.send(.note(task: task.name, host: host.name, text: describe(index), failure: false))
        }
        context.send(.stepStarted(keys[index], description: describe(index)))
    }

    /// One step on its own channel (or the control machine, or SFTP).
    func runOne(_ index: Int) -> StepResult {
        let stepStart = Date()
        announce(index)
        return finish(index, perform(index), since: stepStart)
    }

    /// What the step does, started already: its result, a failure as a value.
    func perform(_ index: Int) -> StepResult {
        let step = host.steps[index]
        var result: StepResult
        do {
            result = context.settings.check ? try probe(step) : try attempts(of: step, key: keys[index])
        } catch let failure as StepFailure {
            result = .failed(failure)
        } catch {
            // Not a failure skp knows: still a value in the summary, never lost.
            result = .failed(StepFailure(status: .failed, message: "\(error)"))
        }
        return result
    }

    /// The step's end as an event, failure text masked as the event is built: every observer
    /// gets the same safe text.
    func finish(_ index: Int, _ result: StepResult, since stepStart: Date) -> StepResult {
        var result = result
        if case .failed(var failure) = result {
            failure.message = context.mask.apply(failure.message)
            failure.stderrTail = failure.stderrTail.map(context.mask.apply)
            result = .failed(failure)
        }
        context.send(.stepFinished(keys[index], description: describe(index), result: result, duration: Date().timeIntervalSince(stepStart)))
        return result
    }

    var isLocal: Bool { host.host == nil }

    func attach(_ command: Command) throws -> StepResult {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw StepFailure(status: .failed, message: "attach needs a terminal (run it from one, not with input or output redirected)")
        }
        guard !isLocal else { throw StepFailure(status: .failed, message: "no remote host") }
        let session = try context.connection(for: host, password: password)
        context.send(.terminal(attached: true))
        defer { context.send(.terminal(attached: false)) }
        let status: CommandStatus
        do { status = try session.attach(command.forTransport(captures: [:]).text, cancel: context.cancel) } catch let error as TransportError {
            throw StepFailure(status: .failed, message: error.description)
        }
        context.send(.terminalExited(status.exitCode))
        if status.exitCode != 0 {
            throw StepFailure(status: .failed, message: "exit \(status.exitCode): \(command)", exitCode: status.exitCode)
        }
        return .ok
    }

    struct Executed {
        var status: CommandStatus
        var stdout: [UInt8]
        var stderrTail: [String]
    }

    /// A captured value lives in memory and in later commands: 1 MiB is plenty for tokens and
    /// keys, and a flood must not grow without bound.
    static let captureLimit = 1 << 20

    func execute(_ command: Command, onControl: Bool, quiet: Bool, captureStdout: Bool = false) throws -> Executed {
        let known = context.capturedValues
        for name in command.capturedNames where known[name] == nil {
            let parts = name.split(separator: "@")
            throw StepFailure(status: .failed,
                              message: "\(parts.first ?? "") was not captured on \(parts.last ?? "its host") (that step failed or did not run)")
        }
        let sent = command.forTransport(captures: known)
        var stdout: [UInt8] = []
        var stderrTail = TailBuffer(limit: 20)
        var captureOverflow = false
        let (taskName, hostName) = (task.name, host.name)
        let output: (OutputStream, [UInt8]) -> Void = { stream, bytes in
            if stream == .stderr { stderrTail.append(bytes) }
            if captureStdout && stream == .stdout {
                if stdout.count + bytes.count > Self.captureLimit { captureOverflow = true } else { stdout += bytes }
                return
            }
            if !quiet { context.send(.output(task: taskName, host: hostName, stream: stream, bytes: bytes)) }
        }
        let status: CommandStatus
        do {
            let session = onControl ? context.local : try context.connection(for: host, password: password)
            status = try session.run(sent.text, secrets: sent.secrets, timeout: context.settings.commandTimeout,
                                     cancel: context.cancel, output: output)
        } catch let failure as StepFailure {
            throw failure
        } catch TransportError.cancelled {
            throw StepFailure(status: .cancelled, message: "interrupted")
        } catch TransportError.lost(let message) {
            throw StepFailure(status: .unreachable, message: message, stderrTail: stderrTail.lines, cutOff: true)
        } catch let error as TransportError {
            throw StepFailure(status: error.isUnreachable ? .unreachable : .failed, message: error.description)
        }
        if status.timedOut {
            throw StepFailure(status: .timedOut,
                              message: "timed out after \(Self.seconds(context.settings.commandTimeout ?? 0)) s: \(command)",
                              exitCode: nil, stderrTail: stderrTail.lines)
        }
        if captureOverflow {
            throw StepFailure(status: .failed, message: "captured output is over \(Self.captureLimit / 1_048_576) MiB: \(command)",
                              exitCode: status.exitCode, stderrTail: stderrTail.lines)
        }
        return Executed(status: status, stdout: stdout, stderrTail: stderrTail.lines)
    }

    func succeeded(_ result: Executed, command: Command) throws {
        guard result.status.exitCode != 0 else { return }
        let how = result.status.signal.map { "killed by SIG\($0)" } ?? "exit \(result.status.exitCode)"
        throw StepFailure(status: .failed, message: "\(how): \(command)", exitCode: result.status.exitCode,
                          stderrTail: result.stderrTail)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// The last lines of a byte stream, for the summary of a failure.
struct TailBuffer {
    let limit: Int
    var text: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    mutating func append(_ bytes: [UInt8]) {
        text += bytes
        if text.count > 16384 { text.removeFirst(text.count - 16384) }
    }

    var lines: [String] {
        String(decoding: text, as: UTF8.self).split(separator: "\n").suffix(limit).map(String.init)
    }
}
