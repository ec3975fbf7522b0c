/// How skp reaches a host. The executor only knows this protocol; SkpSSH implements it over
/// libssh2, and tests could substitute another. A plan never knows which runs it.
public protocol Transport: Sendable {
    /// Opens one authenticated connection, reused for every step on that host.
    func connect(to endpoint: Endpoint, cancel: Cancellation) throws -> RemoteSession
}

/// One authenticated connection to a host. Each command runs on its own channel.
public protocol RemoteSession: AnyObject {
    /// Runs `command` (the remote shell reads it), streaming output as it arrives. The command
    /// refers to `secrets` as `skp_secret_1`…; their values go on stdin, never in the command line.
    func run(_ command: String, secrets: [String], timeout: Double?, cancel: Cancellation,
             output: (OutputStream, [UInt8]) -> Void) throws -> CommandStatus
    /// Writes `bytes` to `path` with `mode` over SFTP, creating missing parent folders (0700).
    /// Returns false, writing nothing, when the file already has that content and mode.
    func upload(_ bytes: [UInt8], to path: String, mode: Int32) throws -> Bool
    func close()
}

public enum OutputStream: String, Sendable { case stdout, stderr }

/// How a command ended.
public struct CommandStatus: Sendable {
    public var exitCode: Int32
    /// Set when the command was killed by a signal (`TERM`, `KILL`…).
    public var signal: String?
    public var timedOut = false

    public init(exitCode: Int32, signal: String? = nil, timedOut: Bool = false) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
    }
}

/// Where and how to log in to one host: the inventory merged with ~/.ssh/config and options.
public struct Endpoint: Sendable {
    public var name: String
    public var address: String
    public var port: Int
    public var user: String
    /// Private keys to try, in order, after the agent.
    public var identities: [String]
    public var password: String?
    /// `user@host:port` of a bastion to go through, if any.
    public var jump: String?
    public var connectTimeout: Double
    public var hostKeyPolicy: HostKeyPolicy
    public var knownHostsPath: String

    public init(name: String, address: String, port: Int, user: String, identities: [String], password: String? = nil,
                jump: String? = nil, connectTimeout: Double, hostKeyPolicy: HostKeyPolicy, knownHostsPath: String) {
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.identities = identities
        self.password = password
        self.jump = jump
        self.connectTimeout = connectTimeout
        self.hostKeyPolicy = hostKeyPolicy
        self.knownHostsPath = knownHostsPath
    }
}

public enum HostKeyPolicy: String, Sendable {
    /// Only hosts already in known_hosts.
    case strict
    /// Unknown hosts are recorded; a changed key is refused (the default).
    case acceptNew = "accept-new"
    /// No checking at all (loudly warned).
    case off
}

/// Why a host could not be reached or a command could not run.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    case connect(String)
    case hostKeyChanged(String)
    case hostKeyUnknown(String)
    case authentication(String)
    case channel(String)
    case cancelled

    public var description: String {
        switch self {
        case .connect(let m), .authentication(let m), .channel(let m): m
        case .hostKeyChanged(let m), .hostKeyUnknown(let m): m
        case .cancelled: "interrupted"
        }
    }

    /// Failures before any command ran: the host is "unreachable".
    public var isUnreachable: Bool {
        switch self {
        case .connect, .hostKeyChanged, .hostKeyUnknown, .authentication: true
        default: false
        }
    }
}
