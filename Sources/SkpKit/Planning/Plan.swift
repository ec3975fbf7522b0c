/// What an invocation will do, fully expanded: per task, stages in order; per stage, each
/// host's steps with their final commands. A dry run prints this; the executor runs it.
public struct Plan: Sendable {
    public var tasks: [PlannedTask]
    public var inventory: Inventory

    /// Every secret value the plan holds, so any output that echoes one can be masked.
    public var secrets: [Secret] {
        var all = Set<Secret>()
        for task in tasks {
            for stage in task.stages {
                for host in stage.hosts {
                    for step in host.steps { all.formUnion(step.secrets) }
                }
            }
            for argument in task.arguments { if let secret = argument.secretValue { all.insert(secret) } }
        }
        return all.filter { !$0.isEmpty }.sorted { $0.revealed.count > $1.revealed.count }
    }
}

public struct PlannedTask: Sendable {
    public struct Argument: Sendable {
        public var name: String
        /// The value as given; "" for a secret, whose text only `secretValue` holds.
        public var value: String
        public var secretValue: Secret?
        public var secret: Bool { secretValue != nil }
        public var display: String { secret ? "***" : value }
        /// Given, and not off: what a plan lists beside the task's name.
        public var isSet: Bool { secretValue.map { !$0.isEmpty } ?? (!value.isEmpty && value != "false") }
    }

    public var name: String
    public var arguments: [Argument]
    /// Why it runs when the user did not name it: "pre of docker.swarm-join".
    public var reason: String?
    public var stages: [Stage]
}

/// A set of hosts that run their steps together; the next stage starts when this one is done.
public struct Stage: Sendable {
    public var target: String
    /// `serial N|N%` (or `--serial`): hosts in batches of that many, one batch after the other
    /// (managers join a swarm one by one); nil: every host at once (up to `--forks`).
    public var serial: HostCount?
    public var hosts: [HostPlan]

    /// Hosts per batch, resolved against this stage's hosts (a share rounded up, at most all of
    /// them); nil when the stage is not serial.
    public var batchSize: Int? {
        serial.map { min(max(1, hosts.count), $0.of(hosts.count)) }
    }
}

public struct HostPlan: Sendable {
    /// Index into the inventory; nil for the control machine.
    public var host: Int?
    public var name: String
    public var steps: [PlannedStep]
}

public struct PlannedStep: Sendable {
    public enum Kind: Sendable {
        case run(Command)
        /// Runs only to show output; never a change.
        case show(Command)
        /// With a terminal, the user's keyboard and screen attached; on exactly one host.
        case attach(Command)
        /// On the control machine, on behalf of this host.
        case local(Command)
        case capture(name: String, Command, local: Bool)
        case upload(content: Command, path: String, mode: Int?)
        /// A host's file (SFTP) to a file of this machine; the host's name is already in `local`.
        case download(remote: String, local: String)
        case echo(Command)
        case fail(Command)
        /// Runs the check every `every` seconds until it succeeds; fails after `timeout` seconds.
        case until(Command, every: Double, timeout: Double)
    }

    /// `retry N delay S`: up to `attempts` tries in all, `delay` seconds apart.
    public struct Retry: Sendable, Equatable {
        public var attempts: Int
        public var delay: Double
    }

    public var kind: Kind
    /// Skip the step (reported unchanged) when this command succeeds first.
    public var unless: Command?
    public var retry: Retry? = nil
    public var location: SourceLocation

    var secrets: [Secret] {
        var all = unless?.secrets ?? []
        switch kind {
        case .run(let c), .show(let c), .attach(let c), .local(let c), .capture(_, let c, _), .echo(let c), .fail(let c), .until(let c, _, _):
            all += c.secrets
        case .upload(let content, _, _): all += content.secrets
        case .download: break
        }
        return all
    }

    /// The captured values (`name@host`) the step needs.
    public var capturedNames: [String] {
        var all = unless?.capturedNames ?? []
        switch kind {
        case .run(let c), .show(let c), .attach(let c), .local(let c), .capture(_, let c, _), .echo(let c), .fail(let c), .until(let c, _, _):
            all += c.capturedNames
        case .upload(let content, _, _): all += content.capturedNames
        case .download: break
        }
        return all
    }

    /// Whether the step can change a host (captures, echoes and failures do not). A download
    /// changes this machine on the host's behalf: `--limit` narrows it like any change.
    public var changesHost: Bool {
        switch kind {
        case .run, .local, .upload, .download, .attach: true
        default: false
        }
    }
}
