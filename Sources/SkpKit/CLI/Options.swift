/// Options that apply to the whole invocation (as opposed to a task's own flags). What sets
/// each one, and its help, is in `OptionSpec.table`.
public struct Options: Sendable {
    public var list = false
    public var help = false
    public var helpTopic: String?
    public var version = false
    public var dryRun = false
    /// `--check`: run only the probes and say what would change.
    public var check = false
    public var json = false
    public var limit: String?
    public var listHosts: String?
    public var hostsPath: String?
    public var volumesPath: String?
    public var networksPath: String?
    public var imagesPath: String?
    public var servicesPath: String?
    public var tasksPath: String?
    public var inventoryFolder: String?
    public var user: String?
    public var color: Style.Mode = .auto
    public var forks = 64
    public var connectTimeout = 10.0
    public var commandTimeout: Double?
    public var keepGoing = false
    /// `--serial N|N%`: batches for every stage without a `serial` of its own.
    public var serial: HostCount?
    /// `--max-fail N|N%`: the failed hosts of a stage at which the run stops.
    public var maxFail: HostCount?
    /// Print each step's (masked) command as it starts.
    public var verbose = false
    public var output = LiveOutput.Layout.stream
    /// `--output-dir`: each host's and step's stdout and stderr also go to files there.
    public var outputDir: String?
    public var hostKeyChecking = "accept-new"
    public var identity: String?
    /// `-K`: ask for the password `sudo` steps give sudo (users other than root).
    public var askBecomePass = false
    public var port: Int?
    /// Keepalives (nil: ssh_config's ServerAlive*, else Endpoint's defaults).
    public var serverAliveInterval: Int?
    public var serverAliveCountMax: Int?
    /// Refuse at once, instead of waiting, when another run holds the inventory's lock.
    public var noWait = false
    /// `--resume` even when the inventory files differ from the ones the run used.
    public var allowInventoryChange = false

    public init() {}

    /// What the executor takes from these options.
    public var run: RunSettings {
        RunSettings(forks: forks, commandTimeout: commandTimeout, keepGoing: keepGoing, verbose: verbose, check: check, maxFail: maxFail)
    }

    /// How hosts are logged in to, from these options.
    public var connection: ConnectionSettings {
        var settings = ConnectionSettings()
        settings.user = user
        settings.port = port
        settings.identity = identity
        settings.connectTimeout = connectTimeout
        settings.hostKeyChecking = HostKeyPolicy(rawValue: hostKeyChecking) ?? .acceptNew
        settings.serverAliveInterval = serverAliveInterval
        settings.serverAliveCountMax = serverAliveCountMax
        return settings
    }
}
