import Foundation

/// Consecutive steps that go to the host together, as one script on one channel (`StepBatch`):
/// commands (`run`, `sudo`, `show`, `capture`) and `fail`/`require`, with or without an `unless`
/// check. A step that needs a value captured in the same batch starts the next one. Everything
/// else keeps a channel, SFTP or the control machine of its own: uploads and downloads, `local`,
/// `attach`, `until`, `retry`, and all of `--check`.
extension HostRun {
    /// The steps from `index` that go as one batch; none when the step at `index` cannot.
    func batchable(from index: Int) -> [Int] {
        guard !isLocal, !context.settings.check, context.transport.runsBatches,
              !context.loneCommands.contains(host.host ?? -1) else { return [] }
        var indexes: [Int] = []
        let known = context.capturedValues
        for i in index..<host.steps.count {
            let step = host.steps[i]
            guard skips[keys[i].key] == nil, step.retry == nil, Self.batches(step),
                  step.capturedNames.allSatisfy({ known[$0] != nil }) else { break }
            indexes.append(i)
        }
        return indexes
    }

    /// The hosts whose one use of their connection in the whole run is one plain command
    /// (`run` or `show`, no `unless`, no `retry`): it goes on a channel of its own, exactly as
    /// `ssh host command` would. A batch channel's shell loop would cost such a host a round trip
    /// and two forks more (the batch's process group, the step's subshell) and no later batch
    /// would reuse it: `ssh.cmd` on a fleet is this case.
    static func loneCommands(in plan: Plan) -> Set<Int> {
        var uses: [Int: (count: Int, plain: Bool)] = [:]
        for host in plan.tasks.flatMap({ $0.stages.flatMap(\.hosts) }) {
            guard let index = host.host else { continue }
            for step in host.steps where usesConnection(step) {
                let plain: Bool
                switch step.kind {
                case .run, .show: plain = step.unless == nil && step.retry == nil
                default: plain = false
                }
                let seen = uses[index]?.count ?? 0
                uses[index] = (seen + 1, plain)
            }
        }
        return Set(uses.filter { $0.value.count == 1 && $0.value.plain }.keys)
    }

    /// Whether the step reaches the host (a channel or SFTP); what runs on the control machine
    /// on the host's behalf does not (an `unless` check counts: it may).
    static func usesConnection(_ step: PlannedStep) -> Bool {
        switch step.kind {
        case .local, .echo: step.unless != nil
        case .capture(_, _, let local): !local || step.unless != nil
        default: true
        }
    }

    static func batches(_ step: PlannedStep) -> Bool {
        switch step.kind {
        case .run, .show, .fail, .upload: true
        case .capture(_, _, let local): !local
        default: false
        }
    }

    static func command(of step: PlannedStep) -> Command? {
        switch step.kind {
        case .run(let command), .show(let command), .capture(_, let command, _): command
        default: nil
        }
    }

    /// An upload's mode when the task gives none.
    static let uploadMode = 0o644

    func entry(_ index: Int) -> StepBatch.Entry {
        let step = host.steps[index]
        if case .upload(let content, let path, let mode) = step.kind {
            let bytes = Array(content.render(captures: context.capturedValues).utf8)
            return StepBatch.Entry(index: index, check: Self.holds(bytes, at: path, mode: mode ?? Self.uploadMode),
                                   command: Self.folder(of: path), handsOver: true)
        }
        return StepBatch.Entry(index: index, check: step.unless, command: Self.command(of: step))
    }

    /// A check that the host's file at `path` has these bytes and this mode, as SFTP's would
    /// see it (symlinks followed). Its hash travels as a secret. When it cannot tell (no
    /// sha256sum, no GNU stat), it fails and SFTP compares the file itself: slower, still right.
    static func holds(_ bytes: [UInt8], at path: String, mode: Int) -> Command {
        let file = Command.Part.value(path, quoting: .word)
        return Command([.literal("[ -f "), file, .literal(" ] && [ \"$(stat -L -c %a -- "), file,
                        .literal(")\" = \(String(mode, radix: 8)) ] && [ \"$(sha256sum < "), file, .literal(")\" = "),
                        .secret(Secret(SHA256.hex(bytes) + "  -"), quoting: .word), .literal(" ]")])
    }

    /// Makes the folder an upload's file goes in, as SFTP would (missing ones 0700), so that
    /// writing it then costs no round trip per folder; nil when the path has none.
    static func folder(of path: String) -> Command? {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return nil }
        return Command([.literal("umask 077 && mkdir -p -- "), .value(String(path[..<slash]), quoting: .word)])
    }

    /// Runs the steps at `indexes` as one script; their events go out as their frames arrive.
    /// Returns the results of the steps that ran, in order (fewer when one failed, Ctrl-C, or
    /// an upload the host did not have, written here, ended the batch).
    func runBatch(_ indexes: [Int]) -> [StepResult] {
        let batch = StepBatch(indexes.map(entry))
        let sent = batch.script(captures: context.capturedValues)
        let watchdog = Watchdog(parent: context.cancel, timing: context.settings.commandTimeout != nil)
        defer { watchdog.stop() }
        var progress = BatchProgress(batch: batch, steps: indexes.map { host.steps[$0] })
        let timeout = context.settings.commandTimeout
        progress.started = { position in
            announce(indexes[position])
            // Its check and its command each get the command timeout.
            watchdog.deadline = timeout.map { Date().addingTimeInterval($0 * (host.steps[indexes[position]].unless == nil ? 1 : 2)) }
        }
        progress.output = { stream, bytes in context.send(.output(task: task.name, host: host.name, stream: stream, bytes: bytes)) }
        progress.captured = { position, value in
            if case .capture(let name, _, _) = host.steps[indexes[position]].kind { context.keep(value, as: name + "@" + host.name) }
        }
        progress.finished = { position, result, since in
            watchdog.deadline = nil
            return finish(indexes[position], result, since: since)
        }
        do {
            let session = try context.connection(for: host, password: password)
            // Until its first step starts (a first look at an upload's file: `P`), the batch has
            // the command timeout too.
            watchdog.deadline = timeout.map { Date().addingTimeInterval($0) }
            let status = try session.runBatch(sent, cancel: watchdog.cancellation, output: { stream, bytes in
                progress.feed(stream, bytes)
            }, complete: { progress.complete }, filesAhead: { progress.filesAhead })
            progress.ended(status)
        } catch let failure as StepFailure {
            // Connecting failed (unreachable, or Ctrl-C while connecting).
            progress.cut(failure)
        } catch TransportError.cancelled {
            progress.cut(watchdog.timedOut
                         ? StepFailure(status: .timedOut, message: "timed out after \(Self.seconds(context.settings.commandTimeout ?? 0)) s")
                         : StepFailure(status: .cancelled, message: "interrupted"))
        } catch TransportError.lost(let message) {
            progress.cut(StepFailure(status: .unreachable, message: message, cutOff: true))
        } catch let error as TransportError {
            progress.cut(StepFailure(status: error.isUnreachable ? .unreachable : .failed, message: error.description))
        } catch {
            progress.cut(StepFailure(status: .failed, message: "\(error)"))
        }
        guard let (position, since) = progress.handedOver else { return progress.results }
        return progress.results + [finish(indexes[position], replace(indexes[position]), since: since)]
    }

    /// Writes an upload the batch found different, without comparing again.
    func replace(_ index: Int) -> StepResult {
        guard case .upload(let content, let path, let mode) = host.steps[index].kind else { return perform(index) }
        let bytes = Array(content.render(captures: context.capturedValues).utf8)
        do {
            try context.connection(for: host, password: password).replace(bytes, at: path, mode: Int32(mode ?? Self.uploadMode))
            return .changed
        } catch let failure as StepFailure {
            return .failed(failure)
        } catch TransportError.lost(let message) {
            return .failed(StepFailure(status: .unreachable, message: message, cutOff: true))
        } catch {
            return .failed(StepFailure(status: .failed, message: "upload to \(path) failed: \(error)"))
        }
    }
}

/// Wakes a batch's channel when its running step has run too long, or on Ctrl-C: the transport
/// polls one `Cancellation`, which follows the run's (Ctrl-C) and which this sets when the
/// deadline passes. Only a run with a command timeout has a deadline to watch, and a thread.
final class Watchdog: @unchecked Sendable {
    // @unchecked: `deadline` and `fired` are only touched under `lock`.
    let cancellation: Cancellation
    private let lock = NSLock()
    private var _deadline: Date?
    private var fired = false, stopped = false

    init(parent: Cancellation, timing: Bool) {
        cancellation = Cancellation(following: parent)
        guard timing else { return }
        let thread = Thread { [weak self] in
            while let self, !self.lock.withLock({ self.stopped }), !parent.isCancelled {
                if self.lock.withLock({ self._deadline.map { Date() >= $0 } ?? false }) {
                    self.lock.withLock { self.fired = true }
                    self.cancellation.cancel()
                    return
                }
                usleep(20_000)
            }
        }
        thread.stackSize = 1 << 18
        thread.start()
    }

    var deadline: Date? {
        get { lock.withLock { _deadline } }
        set { lock.withLock { _deadline = newValue } }
    }

    /// The running step ran out of time (not Ctrl-C).
    var timedOut: Bool { lock.withLock { fired } }

    func stop() { lock.withLock { stopped = true } }
}
