/// What the parser produced from one task file: names are still plain text, nothing is linked.
public struct TaskFile: Sendable {
    public var namespace: String
    public var help: String?
    public var tasks: [TaskDecl]
    /// Named probes (`check swarm-is(state) "…"`), used by any task as `unless swarm-is("active")`.
    public var checks: [CheckDecl] = []
    public var source: SourceText
}

/// `check NAME(PARAM, …) "command"`: a read-only probe written once and named. It sees its own
/// parameters, `host` and the inventory; values are escaped for their place as in any command.
public struct CheckDecl: Sendable {
    public var name: String
    public var params: [String]
    public var command: Template
    public var location: SourceLocation
}

/// What an `unless` (or a `require`) runs: a command written in place, or a named check.
public enum CheckUse: Sendable {
    case command(Template)
    /// The name is qualified (`docker.swarm-is`) by the parser.
    case named(String, arguments: [Expr], location: SourceLocation)
}

public struct TaskDecl: Sendable {
    public var name: String
    public var location: SourceLocation
    public var help: String?
    public var params: [ParamDecl]
    public var pre: [HookRef]
    public var post: [HookRef]
    public var body: [Item]
}

/// `param name -n required secret shell default "x" env VAR prompt one-of volumes limit "help"`
public struct ParamDecl: Sendable {
    public var name: String
    public var short: String?
    public var required = false
    public var secret = false
    /// A switch: `--force` alone means true.
    public var isFlag = false
    public var prompt = false
    /// `shell`: the value is shell code the user gives on purpose (`ssh.cmd -c`); only such a
    /// parameter (and volume/network `opts`) may be written `${raw …}`.
    public var shellCode = false
    public var defaultValue: Template?
    public var environmentVariable: String?
    /// Values must be names of this collection (`volumes`, `networks`, `hosts`).
    public var oneOf: Expr?
    /// `limit`: `--limit HOST` gives this parameter its value (the host it names) when the
    /// parameter is not given. The task acts *on* that host from elsewhere (a manager drains a
    /// node), so the limit then does not narrow where the task's steps, or its hooks', run.
    public var fromLimit = false
    public var help: String?
    public var location: SourceLocation
}

/// `pre swarm-init` or `post nfs.exportfs(name = name)`.
public struct HookRef: Sendable {
    public var task: String
    public var arguments: [(name: String, value: Expr)]
    public var location: SourceLocation
}

/// A piece of a task body, in the order written.
public indirect enum Item: Sendable {
    /// `on SELECTOR [serial [N|N%]] { … }`: the steps inside run on those hosts, after what came
    /// before; with `serial`, in batches of that many hosts (bare `serial`: one).
    case stage(Selector, serial: HostCount?, body: [Item], location: SourceLocation)
    /// `on SELECTOR [serial [N|N%]]` alone: the target of the steps that follow.
    case target(Selector, serial: HostCount?, location: SourceLocation)
    /// `let leader = one(role:master)`: names a set of hosts.
    case hostSet(name: String, Selector, location: SourceLocation)
    case loop(variable: String, collection: Expr, filter: Expr?, body: [Item], location: SourceLocation)
    case condition(Expr, then: [Item], otherwise: [Item], location: SourceLocation)
    case step(Step)

    /// Whether this item (or something inside it) opens stages, so it is planned per task,
    /// not per host.
    var opensStages: Bool {
        switch self {
        case .stage, .target, .hostSet: true
        case .loop(_, _, _, let body, _): body.contains { $0.opensStages }
        case .condition(_, let a, let b, _): (a + b).contains { $0.opensStages }
        case .step: false
        }
    }
}

public struct Step: Sendable {
    public enum Action: Sendable {
        case run(Template)
        /// Runs a command only to show its output (`docker node ls`): never counts as a change.
        case show(Template)
        /// Runs a command with a terminal on one host, the user's keyboard and screen attached
        /// (`docker exec -it … sh`); its exit status becomes skp's.
        case attach(Template)
        case sudo(Template)
        case local(Template)
        /// `capture NAME = run|sudo|local "…"`: stdout (trimmed) becomes a value for later steps.
        case capture(name: String, Box<Action>)
        case upload(content: Template, path: Template, mode: Int?)
        /// `download "REMOTE" to "LOCAL"`: a host's file, over SFTP, to this machine.
        case download(remote: Template, local: Template)
        case echo(Template)
        case fail(Template)
        /// `until "check" [every S] [timeout S]`: runs the check until it succeeds (a port opens,
        /// a state is reached), failing after the timeout.
        case until(Template, every: Expr?, timeout: Expr?)
    }

    /// `retry N [delay S]`: a failed attempt is tried again, up to N attempts in all.
    public struct Retry: Sendable {
        public var attempts: Expr
        public var delay: Expr?
    }

    public var action: Action
    /// `unless "check"` or `unless NAME(…)`: skip (as unchanged) when the check succeeds on the host.
    public var unless: CheckUse?
    public var retry: Retry? = nil
    public var location: SourceLocation
}

/// Lets an enum case hold its own type.
public final class Box<T: Sendable>: Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
