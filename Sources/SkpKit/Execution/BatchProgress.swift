import Foundation

/// Follows a batch's two streams (`FrameReader` each) and says, as the frames arrive, which step
/// started, what it printed and how it ended. A step ends when both streams have its end frame:
/// its last error lines are then all in.
struct BatchProgress {
    let batch: StepBatch
    let steps: [PlannedStep]
    var started: (Int) -> Void = { _ in }
    var output: (OutputStream, [UInt8]) -> Void = { _, _ in }
    /// A `capture` step's value (its stdout, trimmed), before the step is reported ok.
    var captured: (Int, String) -> Void = { _, _ in }
    /// Reports a step's result (it returns the result as reported: masked).
    var finished: (Int, StepResult, Date) -> StepResult = { _, result, _ in result }
    private(set) var results: [StepResult] = []
    /// An upload the host did not have (`h`): started, not finished; skp writes it itself.
    private(set) var handedOver: (position: Int, since: Date)?

    private var stdout: FrameReader, stderr: FrameReader
    /// Pieces read but not yet taken, per stream (`drain`).
    private var queued: (stdout: [FrameReader.Piece], stderr: [FrameReader.Piece]) = ([], [])
    private var running: Int?
    private var since = Date()
    private var status: String?
    private var stderrEnded = false
    /// Streams whose end frame (`Z`) was taken: every piece before it on that stream was too.
    private var streamsDone = 0
    private var stderrTail = TailBuffer(limit: 20)
    /// A capture step's stdout, kept instead of shown (at most `HostRun.captureLimit`).
    private var capturedBytes: [UInt8] = []
    private var captureOverflow = false

    init(batch: StepBatch, steps: [PlannedStep]) {
        self.batch = batch
        self.steps = steps
        stdout = FrameReader(prefix: batch.markerPrefix)
        stderr = FrameReader(prefix: batch.markerPrefix)
    }

    /// Both streams reached the batch's end frame: the batch is over, its channel may stay open.
    var complete: Bool { streamsDone == 2 }
    /// An upload of the batch will need SFTP (its file differs): the transport may start it now.
    private(set) var filesAhead = false

    /// Bytes of a stream; none when the channel has nothing more for now (`FrameReader.idle`).
    mutating func feed(_ stream: OutputStream, _ bytes: [UInt8]) {
        if bytes.isEmpty {
            queued.stdout += stdout.idle()
            queued.stderr += stderr.idle()
        } else if stream == .stdout { queued.stdout += stdout.feed(bytes) } else { queued.stderr += stderr.feed(bytes) }
        drain()
    }

    /// Takes the pieces of both streams in step order: the two streams arrive each in its own
    /// order, one ahead of the other, so a stream whose next step has not started on the other
    /// (or whose step has not ended there) waits.
    private mutating func drain() {
        var progressed = true
        while progressed {
            progressed = false
            while let piece = queued.stdout.first, take(piece, from: .stdout) { queued.stdout.removeFirst(); progressed = true }
            while let piece = queued.stderr.first, take(piece, from: .stderr) { queued.stderr.removeFirst(); progressed = true }
        }
    }

    /// Whether the piece could be taken now.
    private mutating func take(_ piece: FrameReader.Piece, from stream: OutputStream) -> Bool {
        switch piece {
        case .output(let bytes):
            if stream == .stderr { stderrTail.append(bytes) }
            if stream == .stdout, let position = running, case .capture = steps[position].kind {
                if capturedBytes.count + bytes.count > HostRun.captureLimit { captureOverflow = true } else { capturedBytes += bytes }
                return true
            }
            output(stream, bytes)
        case .start(let position):
            if stream == .stderr { return running == position || position < results.count }
            guard running == nil else { return false }
            guard position == results.count, position < steps.count else { return true }
            running = position
            since = Date()
            status = nil
            stderrEnded = false
            stderrTail = TailBuffer(limit: 20)
            capturedBytes = []
            captureOverflow = false
            started(position)
        case .end(let position, let code):
            guard position == running else { return position < results.count }
            if stream == .stdout { status = code ?? "" } else { stderrEnded = true }
            if status == "h", stderrEnded {
                handedOver = (position, since)
                running = nil
            } else if let status, stderrEnded { end(with: result(of: position, status: status)) }
        case .filesAhead:
            filesAhead = true
        case .done:
            // After the last step's end on this stream; on stderr that step may not have ended on stdout yet.
            guard running == nil else { return false }
            streamsDone += 1
        }
        return true
    }

    private func result(of position: Int, status: String) -> StepResult {
        let step = steps[position]
        if status == "u" { return .unchanged }
        if status == "f", case .fail(let text) = step.kind {
            return .failed(StepFailure(status: .failed, message: text.render(captures: [:], masked: true)))
        }
        if status == "0", case .capture = step.kind {
            if captureOverflow {
                return .failed(StepFailure(status: .failed, message: "captured output is over \(HostRun.captureLimit / 1_048_576) MiB: \(batch.entries[position].shown)",
                                           exitCode: 0, stderrTail: stderrTail.lines))
            }
            captured(position, String(decoding: capturedBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            return .ok
        }
        if status == "0" { return step.changesHost ? .changed : .ok }
        let code = Int32(status) ?? -1
        return .failed(StepFailure(status: .failed, message: "exit \(code): \(batch.entries[position].shown)",
                                   exitCode: code, stderrTail: stderrTail.lines))
    }

    private mutating func end(with result: StepResult) {
        guard let position = running else { return }
        running = nil
        results.append(finished(position, result, since))
    }

    /// The channel closed. A step still running ended with the script: its shell was killed,
    /// or it could not run (the script's own exit status says how).
    mutating func ended(_ channel: CommandStatus) {
        queued.stdout += stdout.finish()
        queued.stderr += stderr.finish()
        drain()
        // Whatever is left waits for a frame that never came: it is output all the same.
        for (stream, pieces) in [(OutputStream.stdout, queued.stdout), (.stderr, queued.stderr)] {
            for case .output(let bytes) in pieces { output(stream, bytes) }
        }
        queued = ([], [])
        if let position = running {
            // Its end frame came on stdout only: the result is known.
            if let status { return end(with: result(of: position, status: status)) }
            let how = channel.signal.map { "killed by SIG\($0)" } ?? "exit \(channel.exitCode)"
            end(with: .failed(StepFailure(status: .failed, message: "\(how): \(batch.entries[position].shown)",
                                          exitCode: channel.exitCode, stderrTail: stderrTail.lines)))
        } else if results.isEmpty, channel.exitCode != 0 {
            // The script never reached its first step (the remote shell refused it).
            started(0)
            running = 0
            end(with: .failed(StepFailure(status: .failed, message: "exit \(channel.exitCode): the host's shell did not run the steps",
                                          exitCode: channel.exitCode, stderrTail: stderrTail.lines)))
        }
    }

    /// The channel broke off (timeout, Ctrl-C, a lost connection): the running step, or the
    /// first when none started, ends with `failure`.
    mutating func cut(_ failure: StepFailure) {
        if running == nil {
            guard results.count < steps.count else { return }
            running = results.count
            started(results.count)
        }
        var failure = failure
        failure.stderrTail = stderrTail.lines
        if failure.status == .timedOut, let position = running { failure.message += ": \(batch.entries[position].shown)" }
        end(with: .failed(failure))
    }
}
