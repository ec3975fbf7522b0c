/// skp's options, each written once: the parser, `--help`, shell completion and the README's
/// option table (a test compares them) all read this table, so none of them can drift.
public struct OptionSpec: Sendable {
    public enum Action: Sendable {
        /// An on/off switch (`--json`, `--json=no`).
        case on(WritableKeyPath<Options, Bool> & Sendable)
        /// A value kept as written (a selector, a path).
        case text(WritableKeyPath<Options, String?> & Sendable)
        /// A value checked and converted (a number in range, one of a few words).
        case checked(@Sendable (_ flag: String, _ value: String, _ options: inout Options) throws -> Void)
        /// `--help [TASK]`: the topic may be the next argument.
        case help
        /// Read by `App` before the task files load (`--resume`, `--completion`), or a helper for
        /// the completion scripts; the parser only steps over it.
        case early
    }

    public var long: String
    public var short: Character?
    /// The value's placeholder in help (`N`, `FILE`); nil for a switch. `[RUN]`: optional.
    public var value: String?
    /// One line per help line; the first beside the option, the others under it.
    public var help: [String]
    public var action: Action
    /// Not listed in help or completion (the completion scripts' own helpers).
    public var hidden = false

    init(_ long: String, _ short: Character? = nil, _ value: String? = nil, _ action: Action, _ help: String..., hidden: Bool = false) {
        self.long = long
        self.short = short
        self.value = value
        self.help = help
        self.action = action
        self.hidden = hidden
    }

    /// `-f, --forks N` as help shows it.
    var usage: String {
        (short.map { "-\($0), " } ?? "    ") + "--\(long)" + (value.map { " \($0)" } ?? "")
    }
}

extension OptionSpec {
    public static let table: [OptionSpec] = [
        OptionSpec("list", "l", nil, .on(\.list), "list the tasks, by namespace"),
        OptionSpec("help", "h", "[TASK]", .help, "this help, or a task's flags, targets and hooks"),
        OptionSpec("dry-run", nil, nil, .on(\.dryRun), "print every host's exact commands; contact no host"),
        OptionSpec("check", nil, nil, .on(\.check), "connect and run only the probes: what would change (exit 4), changing nothing"),
        OptionSpec("limit", "L", "SELECTOR", .text(\.limit),
                   "only change these hosts (all, c01, role:manager, label:pgsql,",
                   "label:k=v, a,b (or), a&b (and), !a (not), one(a))"),
        OptionSpec("list-hosts", nil, "SELECTOR", .text(\.listHosts), "show which hosts a selector names, and stop"),
        OptionSpec("inventory", nil, "DIR", .text(\.inventoryFolder), "folder of the inventories (default $SKP_INVENTORY, else .)"),
        OptionSpec("hosts", nil, "FILE", .text(\.hostsPath), "hosts inventory (default $SKP_HOSTS, else ./hosts.json)"),
        OptionSpec("volumes", nil, "FILE", .text(\.volumesPath), "volumes inventory (default $SKP_VOLUMES, else ./volumes.json)"),
        OptionSpec("networks", nil, "FILE", .text(\.networksPath), "networks inventory (default $SKP_NETWORKS, else ./networks.json)"),
        OptionSpec("images", nil, "FILE", .text(\.imagesPath), "images inventory (default $SKP_IMAGES, else ./images.json)"),
        OptionSpec("services", nil, "FILE", .text(\.servicesPath), "services inventory (default $SKP_SERVICES, else ./services.json)"),
        OptionSpec("tasks", nil, "DIR", .text(\.tasksPath), "task files (default $SKP_TASKS, else ./tasks)"),
        OptionSpec("user", nil, "USER", .text(\.user), "SSH user for hosts without one (default $SKP_USER, else root)"),
        OptionSpec("identity", nil, "FILE", .text(\.identity), "SSH private key (default: per-host key, ssh-agent, ~/.ssh/id_*)"),
        OptionSpec("ask-become-pass", "K", nil, .on(\.askBecomePass),
                   "ask once for sudo's password (no echo; one line of stdin when",
                   "it is not a terminal); else $SKP_BECOME_PASSWORD, or a host's become_password"),
        OptionSpec("port", nil, "N", .checked { flag, value, options in
            options.port = try CommandLineParser.whole(value, flag: flag, in: CommandLineParser.portRange, unit: "a port")
        }, "SSH port for hosts without one (default 22)"),
        OptionSpec("forks", "f", "N", .checked { flag, value, options in
            options.forks = try CommandLineParser.whole(value, flag: flag, in: CommandLineParser.forksRange, unit: "a number of hosts")
        }, "hosts worked on at once (default 64)"),
        OptionSpec("serial", nil, "N|N%", .checked { flag, value, options in
            options.serial = try CommandLineParser.hostCount(value, flag: flag)
        }, "hosts of a stage in batches of N (or N% of its hosts), one batch", "after the other; for stages without a serial of their own"),
        OptionSpec("max-fail", nil, "N|N%", .checked { flag, value, options in
            options.maxFail = try CommandLineParser.hostCount(value, flag: flag)
        }, "once N (or N%) of a stage's hosts failed, start no more hosts", "and stop the run, even with --keep-going"),
        OptionSpec("connect-timeout", nil, "S", .checked { flag, value, options in
            options.connectTimeout = try CommandLineParser.number(value, flag: flag, in: CommandLineParser.connectTimeoutRange, unit: "seconds")
        }, "seconds to connect and authenticate (default 10)"),
        OptionSpec("timeout", nil, "S", .checked { flag, value, options in
            options.commandTimeout = try CommandLineParser.number(value, flag: flag, in: CommandLineParser.commandTimeoutRange, unit: "seconds")
        }, "seconds a command may run (default: no limit)"),
        OptionSpec("server-alive-interval", nil, "S", .checked { flag, value, options in
            options.serverAliveInterval = try CommandLineParser.digits(value, flag: flag, in: Endpoint.serverAliveIntervalRange)
        }, "seconds a host may be silent before a keepalive asks it", "to answer (default 10)"),
        OptionSpec("server-alive-count-max", nil, "N", .checked { flag, value, options in
            options.serverAliveCountMax = try CommandLineParser.digits(value, flag: flag, in: Endpoint.serverAliveCountMaxRange)
        }, "unanswered keepalives before a host is lost (default 3):", "a lost host is reported within S x (N + 1) s"),
        OptionSpec("host-key-checking", nil, "M", .checked { flag, value, options in
            guard ["strict", "accept-new", "off"].contains(value) else { throw Diagnostic(.notOneOf(what: flag, given: Printable.excerpt(value), accepted: "strict, accept-new or off")) }
            options.hostKeyChecking = value
        }, "strict | accept-new (default) | off"),
        OptionSpec("output", "o", "MODE", .checked { flag, value, options in
            guard let layout = LiveOutput.Layout(rawValue: value) else { throw Diagnostic("\(flag) takes stream, grouped or merged") }
            options.output = layout
        }, "stream (default) | grouped | merged (hosts with the same output once)"),
        OptionSpec("output-dir", nil, "DIR", .text(\.outputDir), "also write each host's and step's stdout and stderr",
                   "to DIR/HOST/NNN-TASK-STEP.out and .err"),
        OptionSpec("keep-going", nil, nil, .on(\.keepGoing), "run later tasks even when a task failed on some hosts"),
        OptionSpec("resume", nil, "[RUN]", .early, "rerun only what failed or never ran in RUN (default: the last)"),
        OptionSpec("allow-inventory-change", nil, nil, .on(\.allowInventoryChange), "resume even though the inventory files changed since RUN"),
        OptionSpec("no-wait", nil, nil, .on(\.noWait), "exit 2 at once when another run holds this inventory"),
        OptionSpec("verbose", "v", nil, .on(\.verbose), "print each step's command (masked) as it starts"),
        OptionSpec("json", nil, nil, .on(\.json), "machine-readable output (one JSON object per line)"),
        OptionSpec("color", nil, "WHEN", .checked { flag, value, options in
            guard let mode = Style.Mode(rawValue: value) else { throw Diagnostic(.notOneOf(what: flag, given: Printable.excerpt(value), accepted: "auto, always or never")) }
            options.color = mode
        }, "auto (default) | always | never"),
        OptionSpec("completion", nil, "SHELL", .early, "print the completion script for bash, zsh or fish"),
        OptionSpec("version", "V", nil, .on(\.version), "print the version"),
        OptionSpec("complete-tasks", nil, nil, .early, "task names, for the completion scripts", hidden: true),
        OptionSpec("complete-flags", nil, "TASK", .early, "a task's flags and the options, for the completion scripts", hidden: true),
    ]

    /// The option a flag names (`--forks`, `-f`), if any.
    static func named(_ flag: String) -> OptionSpec? {
        if flag.hasPrefix("--") { let name = flag.dropFirst(2); return table.first { $0.long == name } }
        guard flag.count == 2, flag.hasPrefix("-") else { return nil }
        return table.first { $0.short == flag.last }
    }

    /// Every spelling the parser accepts, hidden helpers left out.
    public static var listed: [OptionSpec] { table.filter { !$0.hidden } }

    /// The options part of `skp --help`.
    static var helpLines: String {
        listed.map { option in
            let usage = "  " + option.usage
            let first = usage.count < 30 ? usage.padding(toLength: 30, withPad: " ", startingAt: 0) : usage + "\n" + String(repeating: " ", count: 30)
            return first + option.help.joined(separator: "\n" + String(repeating: " ", count: 30)) + "\n"
        }.joined()
    }
}
