/// What a run needs from the command line, and nothing else: the executor never sees the CLI's
/// options.
public struct RunSettings: Sendable {
    /// Hosts worked on at once in a stage (`--forks`).
    public var forks = 64
    /// Seconds a command may run (`--timeout`); nil: no limit.
    public var commandTimeout: Double?
    /// Run later tasks when a task failed on some hosts (`--keep-going`).
    public var keepGoing = false
    /// Note each step's (masked) command as it starts (`--verbose`).
    public var verbose = false
    /// `--check`: run only the read-only probes; report per step what would change.
    public var check = false
    /// `--max-fail N|N%`: once that many of a stage's hosts have failed, no host starts and the
    /// run stops (even with `keepGoing`); nil: failures stop only their own host.
    public var maxFail: HostCount?

    public init(forks: Int = 64, commandTimeout: Double? = nil, keepGoing: Bool = false, verbose: Bool = false, check: Bool = false,
                maxFail: HostCount? = nil) {
        self.forks = forks
        self.commandTimeout = commandTimeout
        self.keepGoing = keepGoing
        self.verbose = verbose
        self.check = check
        self.maxFail = maxFail
    }
}

/// How hosts are logged in to, from the command line (the inventory and ssh_config add to it).
public struct ConnectionSettings: Sendable {
    public var user: String?
    public var port: Int?
    public var identity: String?
    public var connectTimeout = 10.0
    public var hostKeyChecking = HostKeyPolicy.acceptNew
    /// Keepalives (nil: ssh_config's ServerAlive*, else Endpoint's defaults).
    public var serverAliveInterval: Int?
    public var serverAliveCountMax: Int?

    public init() {}
}
