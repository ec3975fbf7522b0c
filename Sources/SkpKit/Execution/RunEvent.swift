import Foundation

/// What happens during a run, as values. The executor emits each once; every view (the stream,
/// grouped blocks, JSON, the status board), the journal and the summary's tally observe them.
/// Text in events is masked when the event is built; command output is bytes, masked by the
/// views line by line with the same `SharedMask`.
public enum RunEvent: Sendable {
    case taskStarted(PlannedTask)
    /// A stage begins: these hosts wait their turn.
    case stageQueued(hosts: [String])
    /// The counts line of a stage (nil: the board ends).
    case progress(String?)
    case connecting(host: String)
    case connected(host: String)
    case stepStarted(StepKey, description: String)
    /// A step an earlier run finished (`--resume`): not run.
    case stepSkipped(StepKey, description: String, doneIn: String)
    case output(task: String, host: String, stream: OutputStream, bytes: [UInt8])
    /// A line about a host from skp itself: an echo, a verbose command, a failure.
    case note(task: String, host: String, text: String, failure: Bool)
    /// How far a long step is (a download's percentage): for the status board only, never a line.
    case stepProgress(task: String, host: String, text: String)
    case stepFinished(StepKey, description: String, result: StepResult, duration: Double)
    /// An attempt of a step with `retry` failed (masked message); the next starts after the delay.
    case stepRetried(StepKey, attempt: Int, of: Int, message: String, delay: Double)
    /// A host of a stage that never started: `--max-fail` was reached first (`reason` says so).
    /// Its steps are listed so the journal records them as not run, and `--resume` runs them.
    case hostNotStarted(task: String, host: String, steps: [(key: StepKey, description: String)], reason: String)
    /// A host's steps of one stage are over.
    case hostFinished(task: String, host: String, status: HostReport.Status, duration: Double)
    case stageFinished
    /// A terminal is attached to a host (true) or released (false): the board must not draw.
    case terminal(attached: Bool)
    /// The attached command's exit status, which skp exits with.
    case terminalExited(Int32)
}

/// How one step ended.
public enum StepResult: Sendable {
    case changed, unchanged, ok
    /// `--check`: the step's probe says it would change the host; or no probe can tell.
    case wouldChange, cannotTell
    case failed(StepFailure)

    /// As the journal, JSON and the summary name it.
    public var status: String {
        switch self {
        case .changed: "changed"
        case .unchanged: "unchanged"
        case .ok: "ok"
        case .wouldChange: "would change"
        case .cannotTell: "cannot tell"
        case .failed(let failure): failure.status.rawValue
        }
    }

    public var exitCode: Int32? {
        if case .failed(let failure) = self { return failure.exitCode }
        return 0
    }
}

/// A step that did not succeed, with what the summary shows about it.
public struct StepFailure: Error, Sendable {
    public var status: HostReport.Status
    public var message: String
    public var exitCode: Int32?
    public var stderrTail: [String] = []
    /// The connection was lost while the step ran: whether it finished on the host is unknown,
    /// so the journal leaves its start line alone and --resume runs it again.
    public var cutOff = false
}

/// Receives every event of a run, from any of the fan-out's threads.
public protocol RunObserver: AnyObject, Sendable {
    func observe(_ event: RunEvent)
}
