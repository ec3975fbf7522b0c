/// What happened on each host: values, in inventory order, for the summary and JSON.
public struct HostReport: Sendable {
    public enum Status: String, Sendable {
        /// Every step ran and nothing needed changing.
        case ok
        /// At least one step changed the host.
        case changed
        /// `--check`: at least one step would change the host.
        case wouldChange = "would change"
        case failed
        case timedOut = "timed out"
        /// Could not connect, authenticate, or verify its host key; or lost mid-run (no answer to keepalives).
        case unreachable
        /// Not run: an earlier task failed, or Ctrl-C.
        case skipped
        /// Its turn in a stage never came: `--max-fail` stopped the run first.
        case notStarted = "not started"
        case cancelled

        var rank: Int {
            switch self {
            case .skipped: 0
            case .ok: 1
            case .changed: 2
            case .wouldChange: 3
            case .notStarted: 4
            case .cancelled: 5
            case .timedOut: 6
            case .failed: 7
            case .unreachable: 8
            }
        }
    }

    public var name: String
    public var status: Status = .skipped
    public var exitCode: Int32?
    public var duration: Double = 0
    /// Why it failed: the task and step, or the transport's message.
    public var message: String?
    /// The last lines of stderr of the failed step (masked).
    public var stderrTail: [String] = []
    public var changed = 0
    public var unchanged = 0
    /// `--check`: steps that would change the host, and steps with no probe to tell.
    public var wouldChange = 0
    public var cannotTell = 0
    public var tasks: [String] = []

    /// Keeps the worst status seen across tasks.
    mutating func merge(_ status: Status) {
        if status.rank > self.status.rank { self.status = status }
    }
}

public struct RunReport: Sendable {
    public var hosts: [HostReport]
    public var interrupted: Bool
    public var duration: Double
    /// Tasks not run because an earlier one failed (or `--max-fail` stopped the run).
    public var tasksNotRun: [String]
    /// Why the run stopped early: "max-fail 20% reached: 1 of 5 hosts failed; c04, c05 not started".
    public var stoppedBy: String? = nil
    /// With --resume: the run resumed, and how many of its steps were done and skipped.
    public var resumedFrom: String? = nil
    public var stepsDoneEarlier = 0
    /// The exit status of an attached terminal's command (`attach` steps), which skp exits with,
    /// as `ssh -t` does.
    public var attachedExitCode: Int32? = nil

    public var exitCode: ExitCode {
        if interrupted { return .interrupted }
        if hosts.contains(where: { $0.status == .failed || $0.status == .timedOut }) { return .taskFailed }
        if hosts.contains(where: { $0.status == .unreachable }) { return .unreachable }
        if hosts.contains(where: { $0.status == .wouldChange }) { return .drift }
        return .ok
    }
}
