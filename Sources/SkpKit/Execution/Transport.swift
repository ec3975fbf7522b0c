/// How skp reaches a host. The executor only knows this protocol; SkpSSH implements it over
/// libssh2, and tests could substitute another. A plan never knows which runs it.
public protocol Transport: Sendable {
    /// Opens one authenticated connection, reused for every step on that host.
    func connect(to endpoint: Endpoint, cancel: Cancellation) throws -> RemoteSession
    /// Whether its sessions run a script of several steps as sent, a POSIX shell reading it on
    /// the other end (`StepBatch`): the executor sends consecutive steps together only then.
    var runsBatches: Bool { get }
}

extension Transport {
    public var runsBatches: Bool { false }
}

/// One authenticated connection to a host. Each command runs on its own channel.
public protocol RemoteSession: AnyObject {
    /// Runs `command` (the remote shell reads it), streaming output as it arrives. The command
    /// refers to `secrets` as `skp_secret_1`…; their values go on stdin, never in the command line.
    func run(_ command: String, secrets: [Secret], timeout: Double?, cancel: Cancellation,
             output: (OutputStream, [UInt8]) -> Void) throws -> CommandStatus
    /// Writes `bytes` to `path` with `mode` over SFTP, creating missing parent folders (0700).
    /// Returns false, writing nothing, when the file already has that content and mode.
    func upload(_ bytes: [UInt8], to path: String, mode: Int32) throws -> Bool
    /// Whether `upload` would write: the file at `path` lacks these bytes or this mode. Writes nothing.
    func wouldChange(_ bytes: [UInt8], at path: String, mode: Int32) throws -> Bool
    /// What `path` is on the host (SFTP's stat, following symlinks there); nil when there is none.
    func fileInfo(_ path: String, cancel: Cancellation) throws -> RemoteFile?
    /// Reads the regular file at `path` over SFTP, handing its bytes to `chunk` in order, a piece
    /// at a time: a file of any size streams through bounded memory. Returns what was opened.
    func download(_ path: String, cancel: Cancellation, chunk: (UnsafeRawBufferPointer) throws -> Void) throws -> RemoteFile
    /// Runs `command` with a terminal, this process's own terminal attached to it (raw mode,
    /// window size followed), until it exits; returns its status.
    func attach(_ command: String, cancel: Cancellation) throws -> CommandStatus
    /// Runs a batch of steps (`StepBatch`), streaming its output, until `complete` says both
    /// streams have reached its end frame or the script ended. SSH sessions run every batch of a
    /// host on one long-lived channel (one round trip each); by default a batch is a command.
    /// An empty chunk says the channel has nothing more for now (`FrameReader.idle`).
    /// `filesAhead` says once an upload of the batch will be written over SFTP after it.
    func runBatch(_ batch: BatchScript, cancel: Cancellation, output: (OutputStream, [UInt8]) -> Void,
                  complete: () -> Bool, filesAhead: () -> Bool) throws -> CommandStatus
    /// Opens the channel batches run on ahead of time (an early connection calls it, off the
    /// critical path).
    func prepareBatches(cancel: Cancellation)
    /// Writes `bytes` to `path` with `mode` without comparing first (a batch found the host's
    /// file differs and made its folder); missing parent folders are created 0700.
    func replace(_ bytes: [UInt8], at path: String, mode: Int32) throws
    func close()
}

extension RemoteSession {
    public func runBatch(_ batch: BatchScript, cancel: Cancellation, output: (OutputStream, [UInt8]) -> Void,
                         complete: () -> Bool, filesAhead: () -> Bool) throws -> CommandStatus {
        try run(batch.text + batch.ending, secrets: batch.secrets, timeout: nil, cancel: cancel, output: output)
    }

    public func prepareBatches(cancel: Cancellation) {}

    public func replace(_ bytes: [UInt8], at path: String, mode: Int32) throws {
        _ = try upload(bytes, to: path, mode: mode)
    }

    public func attach(_ command: String, cancel: Cancellation) throws -> CommandStatus {
        throw TransportError.channel("this transport cannot attach a terminal")
    }
}

extension RemoteSession {
    public func fileInfo(_ path: String, cancel: Cancellation) throws -> RemoteFile? {
        throw TransportError.channel("this transport cannot read a host's files")
    }

    public func download(_ path: String, cancel: Cancellation, chunk: (UnsafeRawBufferPointer) throws -> Void) throws -> RemoteFile {
        throw TransportError.channel("this transport cannot read a host's files")
    }
}

/// A host's file as SFTP describes it.
public struct RemoteFile: Sendable, Equatable {
    public var size: UInt64
    /// st_mode: the type bits and the permissions.
    public var mode: UInt32

    public init(size: UInt64, mode: UInt32) {
        self.size = size
        self.mode = mode
    }

    /// Only a regular file has an end: a device (/dev/zero) or a FIFO could stream for ever.
    public var isRegular: Bool { mode & 0o170000 == 0o100000 }
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
    public var password: Secret?
    /// `user@host:port` of a bastion to go through, if any.
    public var jump: String?
    public var connectTimeout: Double
    public var hostKeyPolicy: HostKeyPolicy
    public var knownHostsPath: String
    /// Seconds of silence from the host before a keepalive asks it to answer (OpenSSH's ServerAliveInterval).
    public var serverAliveInterval: Int
    /// Keepalives in a row without an answer after which the host is lost (ServerAliveCountMax).
    /// A host that stops answering is reported lost at most interval × (count + 1) seconds
    /// after it last sent anything: 40 s with the defaults.
    public var serverAliveCountMax: Int

    public static let defaultServerAliveInterval = 10
    public static let defaultServerAliveCountMax = 3
    /// What skp accepts (options and ssh_config alike): keepalives cannot be turned off, since
    /// without them a host whose link went down holds the run for ever; and libssh2 1.10 spaces
    /// keepalives at least 2 s apart.
    public static let serverAliveIntervalRange = 2...3600
    public static let serverAliveCountMaxRange = 1...100

    public init(name: String, address: String, port: Int, user: String, identities: [String], password: Secret? = nil,
                jump: String? = nil, connectTimeout: Double, hostKeyPolicy: HostKeyPolicy, knownHostsPath: String,
                serverAliveInterval: Int = Endpoint.defaultServerAliveInterval,
                serverAliveCountMax: Int = Endpoint.defaultServerAliveCountMax) {
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
        self.serverAliveInterval = serverAliveInterval
        self.serverAliveCountMax = serverAliveCountMax
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
    /// The connection died while skp waited on the host (no answer to keepalives, or the socket
    /// failed): what the host did with the step is unknown.
    case lost(String)
    case cancelled

    public var description: String {
        switch self {
        case .connect(let m), .authentication(let m), .channel(let m), .lost(let m): m
        case .hostKeyChanged(let m), .hostKeyUnknown(let m): m
        case .cancelled: "interrupted"
        }
    }

    /// Failures before any command ran, and a connection lost while one ran: the host is "unreachable".
    public var isUnreachable: Bool {
        switch self {
        case .connect, .hostKeyChanged, .hostKeyUnknown, .authentication, .lost: true
        default: false
        }
    }
}
