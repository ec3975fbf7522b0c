import Foundation

/// Runs a plan: tasks in order; within a task, stages in order; within a stage, hosts in
/// parallel (at most `forks` at once, or one at a time for `serial`), each running its steps
/// in order on its one connection. A failed step stops that host; the run stops after a task
/// that failed somewhere, unless `keepGoing`. Failures are values (`HostReport`), never
/// exceptions escaping the fan-out.
public final class Executor: @unchecked Sendable {
    let plan: Plan
    let transport: Transport
    let options: Options
    let endpoints: EndpointResolver
    let sink: OutputSink
    public let cancel = Cancellation()
    /// Where every step's start and end is recorded as it happens (nil: not recorded).
    public var journal: Journal?
    /// Steps an earlier run finished (`--resume`): key → that run's id. They are skipped.
    public var resume: (run: String, done: [String: String])?

    private let lock = NSLock()
    private var sessions: [Int: RemoteSession] = [:]
    private var captures: [String: String] = [:]
    private var reports: [String: HostReport] = [:]
    /// Hosts out of the run: unreachable, or failed in an earlier task (with --keep-going).
    private var excluded: Set<String> = []
    private var stepsDoneEarlier = 0
    private var attachedExitCode: Int32?

    public init(plan: Plan, transport: Transport, options: Options, endpoints: EndpointResolver, sink: OutputSink) {
        self.plan = plan
        self.transport = transport
        self.options = options
        self.endpoints = endpoints
        self.sink = sink
    }

    public func run() -> RunReport {
        let start = Date()
        var notRun: [String] = []
        var stopped = false
        let skips = resume.map { _ in stepsToSkip() } ?? [:]
        for (taskIndex, task) in plan.tasks.enumerated() {
            if stopped || cancel.isCancelled { notRun.append(task.name); continue }
            let password = task.arguments.first { $0.name == "password" && $0.secret && !$0.value.isEmpty }?.value
            var failed = false
            var announced = false
            for (stageIndex, stage) in task.stages.enumerated() {
                // Resuming: a host whose steps here all finished earlier is left alone entirely.
                var hosts: [HostPlan] = []
                for host in stage.hosts where !isExcluded(host.name) {
                    let keys = stepKeys(host, task: task, taskIndex: taskIndex, stage: stageIndex)
                    if !keys.isEmpty, keys.allSatisfy({ skips[$0.key] != nil }) {
                        for (key, step) in zip(keys, host.steps) {
                            journal?.stepSkipped(key, description: sink.mask(describe(step)), doneIn: skips[key.key]!)
                        }
                        lock.lock(); stepsDoneEarlier += keys.count; lock.unlock()
                    } else {
                        hosts.append(host)
                    }
                }
                if hosts.isEmpty { continue }
                if !announced { sink.taskStarted(task); announced = true }
                sink.boardQueued(hosts.map(\.name))
                let results = fanOut(hosts, width: stage.serial ? 1 : options.forks, task: task.name) { host in
                    self.runHost(host, task: task, password: password,
                                 keys: self.stepKeys(host, task: task, taskIndex: taskIndex, stage: stageIndex), skips: skips)
                }
                journal?.sync()
                if results.contains(where: { !$0 }) { failed = true }
                if cancel.isCancelled { break }
            }
            if failed && !options.keepGoing { stopped = true }
        }
        sink.progress(nil)
        lock.lock()
        let open = sessions.values
        sessions = [:]
        lock.unlock()
        for session in open { session.close() }

        let names = plan.inventory.hosts.map(\.name) + ["local"]
        let hostReports = names.compactMap { reports[$0] }
        return RunReport(hosts: hostReports, interrupted: cancel.isCancelled, duration: Date().timeIntervalSince(start),
                         tasksNotRun: notRun, resumedFrom: resume?.run, stepsDoneEarlier: stepsDoneEarlier,
                         attachedExitCode: attachedExitCode)
    }

    // MARK: resume

    func stepKeys(_ host: HostPlan, task: PlannedTask, taskIndex: Int, stage: Int) -> [StepKey] {
        Self.stepKeys(host, task: task, taskIndex: taskIndex, stage: stage)
    }

    func stepsToSkip() -> [String: String] {
        resume.map { Self.stepsToSkip(plan: plan, done: $0.done) } ?? [:]
    }

    static func stepKeys(_ host: HostPlan, task: PlannedTask, taskIndex: Int, stage: Int) -> [StepKey] {
        host.steps.enumerated().map { index, step in
            StepKey(taskIndex: taskIndex, task: task.name, stage: stage, host: host.name, index: index,
                    count: host.steps.count, description: describeStep(step))
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

    // MARK: fan-out

    /// Runs `body` for each host on at most `width` threads; returns each host's success.
    private func fanOut(_ hosts: [HostPlan], width: Int, task: String, _ body: @escaping (HostPlan) -> Bool) -> [Bool] {
        let state = FanOut(count: hosts.count)
        let group = DispatchGroup()
        let threads = min(width, hosts.count)
        sink.progress(hosts.count > 1 ? "[\(task)] 0/\(hosts.count) done" : nil)
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                while !self.cancel.isCancelled, let index = state.take() {
                    let progress = state.finish(index, ok: body(hosts[index]), threads: threads)
                    if hosts.count > 1 { self.sink.progress("[\(task)] " + progress) }
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return state.results
    }

    /// The shared counters of one fan-out, behind a lock.
    private final class FanOut: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0, done = 0, failed = 0
        private(set) var results: [Bool]

        init(count: Int) { results = [Bool](repeating: true, count: count) }

        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < results.count else { return nil }
            next += 1
            return next - 1
        }

        func finish(_ index: Int, ok: Bool, threads: Int) -> String {
            lock.lock(); defer { lock.unlock() }
            results[index] = ok
            done += 1
            if !ok { failed += 1 }
            return "\(done)/\(results.count) done · \(failed) failed · \(min(threads, results.count - done)) running"
        }
    }

    private func isExcluded(_ name: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return excluded.contains(name)
    }

    private func update(_ name: String, _ change: (inout HostReport) -> Void) {
        lock.lock(); defer { lock.unlock() }
        var report = reports[name] ?? HostReport(name: name)
        change(&report)
        reports[name] = report
    }

    // MARK: one host

    /// Runs one host's steps of a stage. Returns false when the host failed.
    private func runHost(_ host: HostPlan, task: PlannedTask, password: String?, keys: [StepKey], skips: [String: String]) -> Bool {
        let start = Date()
        var status: HostReport.Status = .ok
        defer {
            let elapsed = Date().timeIntervalSince(start)
            update(host.name) { report in
                report.duration += elapsed
                report.merge(status)
                if report.tasks.last != task.name { report.tasks.append(task.name) }
            }
            sink.finishHost(task: task.name, host: host.name, status: status.rawValue)
        }
        for (index, step) in host.steps.enumerated() {
            if cancel.isCancelled { status = .cancelled; return false }
            let key = keys[index]
            if let earlier = skips[key.key] {
                journal?.stepSkipped(key, description: sink.mask(describe(step)), doneIn: earlier)
                lock.lock(); stepsDoneEarlier += 1; lock.unlock()
                continue
            }
            let stepStart = Date()
            if options.verbose { sink.note(task: task.name, host: host.name, describe(step)) }
            journal?.stepStarted(key, description: sink.mask(describe(step)))
            sink.boardRunning(host.name, step: index + 1, of: host.steps.count)
            do {
                let outcome = try runStep(step, host: host, task: task, password: password)
                let elapsed = Date().timeIntervalSince(stepStart)
                journal?.stepFinished(key, status: outcome.rawValue, exitCode: 0, duration: elapsed, message: nil)
                sink.stepEvent(task: task.name, host: host.name, step: describe(step), status: outcome.rawValue,
                               exitCode: 0, duration: elapsed)
                if outcome == .changed { status = status == .ok ? .changed : status }
                update(host.name) { report in
                    if outcome == .changed { report.changed += 1 }
                    if outcome == .unchanged { report.unchanged += 1 }
                }
            } catch let failure as StepFailure {
                status = failure.status
                let message = "\(task.name): \(failure.message)"
                // A step cut off by a lost connection did not finish: its start line stays alone,
                // and --resume runs it again.
                if !failure.cutOff {
                    journal?.stepFinished(key, status: failure.status.rawValue, exitCode: failure.exitCode,
                                          duration: Date().timeIntervalSince(stepStart), message: sink.mask(failure.message))
                }
                sink.note(task: task.name, host: host.name, "✗ " + failure.message, failure: true)
                sink.stepEvent(task: task.name, host: host.name, step: describe(step), status: failure.status.rawValue,
                               exitCode: failure.exitCode, duration: Date().timeIntervalSince(stepStart))
                update(host.name) { report in
                    report.exitCode = failure.exitCode
                    report.message = message
                    report.stderrTail = failure.stderrTail.map(self.sink.mask)
                }
                // A failed host sits out the rest of the run (with --keep-going, later tasks too).
                lock.lock(); excluded.insert(host.name); lock.unlock()
                return false
            } catch {
                // Not a step failure skp knows: still a value in the summary, never lost.
                status = .failed
                journal?.stepFinished(key, status: status.rawValue, exitCode: nil, duration: Date().timeIntervalSince(stepStart),
                                      message: sink.mask("\(error)"))
                sink.note(task: task.name, host: host.name, "✗ \(error)", failure: true)
                update(host.name) { $0.message = "\(task.name): \(error)" }
                return false
            }
        }
        update(host.name) { report in if report.exitCode == nil { report.exitCode = 0 } }
        return true
    }

    enum StepOutcome: String { case changed, unchanged, ok }

    struct StepFailure: Error {
        var status: HostReport.Status
        var message: String
        var exitCode: Int32?
        var stderrTail: [String] = []
        /// The connection was lost while the step ran: whether it finished on the host is unknown.
        var cutOff = false
    }

    private func runStep(_ step: PlannedStep, host: HostPlan, task: PlannedTask, password: String?) throws -> StepOutcome {
        let local = host.host == nil
        let onControl = local || { if case .local = step.kind { return true } else { return false } }()
        // `unless "check"`: when the check succeeds the step is already done (or, for `fail`,
        // not needed) and is reported unchanged.
        if let check = step.unless {
            let status = try execute(check, host: host, task: task, onControl: onControl, password: password, quiet: true)
            if status.status.exitCode == 0 && !status.status.timedOut { return .unchanged }
        }
        switch step.kind {
        case .run(let command), .local(let command), .show(let command):
            let result = try execute(command, host: host, task: task, onControl: onControl, password: password, quiet: false)
            try check(result, command: command)
            return step.changesHost ? .changed : .ok
        case .capture(let name, let command, let onControl):
            let result = try execute(command, host: host, task: task, onControl: onControl || local, password: password,
                                     quiet: false, captureStdout: true)
            try check(result, command: command)
            let value = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            sink.addSecret(value)
            lock.lock(); captures[name + "@" + host.name] = value; lock.unlock()
            return .ok
        case .upload(let content, let path, let mode):
            let bytes = Array(content.render(captures: capturesSnapshot()).utf8)
            let changed: Bool
            if local {
                changed = try writeLocal(bytes, to: path, mode: mode_t(mode ?? 0o644))
            } else {
                let session = try connection(for: host, password: password)
                do { changed = try session.upload(bytes, to: path, mode: Int32(mode ?? 0o644)) } catch TransportError.lost(let message) {
                    throw StepFailure(status: .unreachable, message: message, cutOff: true)
                } catch {
                    throw StepFailure(status: .failed, message: "upload to \(path) failed: \(error)")
                }
            }
            return changed ? .changed : .unchanged
        case .echo(let text):
            sink.note(task: task.name, host: host.name, text.render(captures: capturesSnapshot(), masked: true))
            return .ok
        case .attach(let command):
            guard isatty(0) == 1, isatty(1) == 1 else {
                throw StepFailure(status: .failed, message: "attach needs a terminal (run it from one, not with input or output redirected)")
            }
            let session = try connection(for: host, password: password)
            sink.pauseBoard(true)
            defer { sink.pauseBoard(false) }
            let status: CommandStatus
            do { status = try session.attach(command.forTransport(captures: [:]).text, cancel: cancel) } catch let error as TransportError {
                throw StepFailure(status: .failed, message: error.description)
            }
            lock.lock(); attachedExitCode = status.exitCode; lock.unlock()
            if status.exitCode != 0 {
                throw StepFailure(status: .failed, message: "exit \(status.exitCode): \(command)", exitCode: status.exitCode)
            }
            return .ok
        case .fail(let text):
            throw StepFailure(status: .failed, message: text.render(captures: capturesSnapshot(), masked: true))
        }
    }

    struct Executed {
        var status: CommandStatus
        var stdout: [UInt8]
        var stderrTail: [String]
    }

    private func execute(_ command: Command, host: HostPlan, task: PlannedTask, onControl: Bool, password: String?,
                         quiet: Bool, captureStdout: Bool = false) throws -> Executed {
        let known = capturesSnapshot()
        for name in command.capturedNames where known[name] == nil {
            let parts = name.split(separator: "@")
            throw StepFailure(status: .failed,
                              message: "\(parts.first ?? "") was not captured on \(parts.last ?? "its host") (that step failed or did not run)")
        }
        let sent = command.forTransport(captures: known)
        var stdout: [UInt8] = []
        var stderrTail = TailBuffer(limit: 20)
        var captureOverflow = false
        let output: (OutputStream, [UInt8]) -> Void = { stream, bytes in
            if stream == .stderr { stderrTail.append(bytes) }
            if captureStdout && stream == .stdout {
                // A captured value lives in memory and in later commands: 1 MiB is plenty for
                // tokens and keys, and a flood must not grow without bound.
                if stdout.count + bytes.count > Self.captureLimit { captureOverflow = true } else { stdout += bytes }
                return
            }
            if !quiet { self.sink.output(task: task.name, host: host.name, stream: stream, bytes: bytes) }
        }
        let status: CommandStatus
        do {
            if onControl {
                // Local secrets go in the environment: other users' process lists do not show it.
                var environment = ProcessInfo.processInfo.environment
                for (i, value) in sent.secrets.enumerated() { environment[TransportCommand.variable(i)] = value }
                status = try LocalRunner.run(sent.text, timeout: options.commandTimeout, cancel: cancel,
                                             environment: environment, output: output)
            } else {
                let session = try connection(for: host, password: password)
                status = try session.run(sent.text, secrets: sent.secrets, timeout: options.commandTimeout, cancel: cancel, output: output)
            }
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
                              message: "timed out after \(Self.seconds(options.commandTimeout ?? 0)) s: \(command)",
                              exitCode: nil, stderrTail: stderrTail.lines)
        }
        if captureOverflow {
            throw StepFailure(status: .failed, message: "captured output is over \(Self.captureLimit / 1_048_576) MiB: \(command)",
                              exitCode: status.exitCode, stderrTail: stderrTail.lines)
        }
        return Executed(status: status, stdout: stdout, stderrTail: stderrTail.lines)
    }

    private func check(_ result: Executed, command: Command) throws {
        guard result.status.exitCode != 0 else { return }
        let how = result.status.signal.map { "killed by SIG\($0)" } ?? "exit \(result.status.exitCode)"
        throw StepFailure(status: .failed, message: "\(how): \(command)", exitCode: result.status.exitCode,
                          stderrTail: result.stderrTail)
    }

    /// The host's one connection, opened on first use and kept for the whole invocation.
    private func connection(for host: HostPlan, password: String?) throws -> RemoteSession {
        guard let index = host.host else { throw StepFailure(status: .failed, message: "no remote host") }
        lock.lock()
        if let session = sessions[index] { lock.unlock(); return session }
        lock.unlock()
        let endpoint = endpoints.endpoint(for: plan.inventory.hosts[index], password: password)
        sink.boardConnecting(host.name)
        do {
            let session = try transport.connect(to: endpoint, cancel: cancel)
            sink.boardConnected(host.name)
            lock.lock(); sessions[index] = session; lock.unlock()
            return session
        } catch TransportError.cancelled {
            throw StepFailure(status: .cancelled, message: "interrupted")
        } catch let error as TransportError {
            throw StepFailure(status: .unreachable, message: error.description)
        }
    }

    private func capturesSnapshot() -> [String: String] {
        lock.lock(); defer { lock.unlock() }
        return captures
    }

    private func writeLocal(_ bytes: [UInt8], to path: String, mode: mode_t) throws -> Bool {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o7777 == mode,
           let existing = FileManager.default.contents(atPath: path), Array(existing) == bytes {
            return false
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StepFailure(status: .failed, message: "cannot write \(path)") }
        defer { close(fd) }
        fchmod(fd, mode)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return true
    }

    func describe(_ step: PlannedStep) -> String { Self.describeStep(step) }

    static func describeStep(_ step: PlannedStep) -> String {
        PlanPrinter(style: Style(enabled: false)).describe(step)
    }

    static let captureLimit = 1 << 20

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// The last lines of a byte stream, for the summary of a failure.
struct TailBuffer {
    let limit: Int
    private var text: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    mutating func append(_ bytes: [UInt8]) {
        text += bytes
        if text.count > 16384 { text.removeFirst(text.count - 16384) }
    }

    var lines: [String] {
        String(decoding: text, as: UTF8.self).split(separator: "\n").suffix(limit).map(String.init)
    }
}
