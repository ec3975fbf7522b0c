import Foundation

/// What the hosts of a run share: one connection per host for the whole invocation, the values
/// captured so far, the hosts out of the run, and where events go.
final class RunContext: @unchecked Sendable {
    // @unchecked: the mutable fields below are only touched under `lock`; the rest is constant.
    let plan: Plan
    let transport: Transport
    let endpoints: EndpointResolver
    let settings: RunSettings
    let cancel: Cancellation
    let mask: SharedMask
    private let emit: @Sendable (RunEvent) -> Void

    private let lock = NSLock()
    private var sessions: [Int: RemoteSession] = [:]
    private var captures: [String: String] = [:]
    /// Hosts out of the run: unreachable, or failed in an earlier task (with --keep-going).
    private var excluded: Set<String> = []
    let local = LocalSession()
    /// Connections opened at the start of the run, taken on first use (`connectEarly`).
    private var early: EarlyConnections?

    init(plan: Plan, transport: Transport, endpoints: EndpointResolver, settings: RunSettings, cancel: Cancellation,
         mask: SharedMask, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.plan = plan
        self.transport = transport
        self.endpoints = endpoints
        self.settings = settings
        self.cancel = cancel
        self.mask = mask
        self.emit = emit
    }

    func send(_ event: RunEvent) { emit(event) }

    /// The host's one connection, opened on first use and kept for the whole invocation.
    func connection(for host: HostPlan, password: Secret?) throws -> RemoteSession {
        guard let index = host.host else { return local }
        if let session = lock.withLock({ sessions[index] }) { return session }
        let endpoint = endpoints.endpoint(for: plan.inventory.hosts[index], password: password)
        send(.connecting(host: host.name))
        do {
            let session = try early?.take(index)?.get() ?? transport.connect(to: endpoint, cancel: cancel)
            send(.connected(host: host.name))
            lock.withLock { sessions[index] = session }
            return session
        } catch TransportError.cancelled {
            throw StepFailure(status: .cancelled, message: "interrupted")
        } catch let error as TransportError {
            throw StepFailure(status: .unreachable, message: error.description)
        }
    }

    /// Starts connecting to every host the plan reaches, in parallel, before any step needs it.
    /// A host's endpoint uses the password of the first task that reaches it (`ssh.copy-id -p`).
    func connectEarly(width: Int) {
        var seen = Set<Int>(), hosts: [(index: Int, endpoint: Endpoint)] = []
        for task in plan.tasks {
            for stage in task.stages {
                for host in stage.hosts {
                    guard let index = host.host, seen.insert(index).inserted else { continue }
                    hosts.append((index, endpoints.endpoint(for: plan.inventory.hosts[index], password: Executor.sshPassword(of: task))))
                }
            }
        }
        guard !hosts.isEmpty else { return }
        early = EarlyConnections(hosts, transport: transport, width: width, runCancel: cancel)
    }

    func closeConnections() {
        early?.finish()
        let open = lock.withLock { () -> [RemoteSession] in
            defer { sessions = [:] }
            return Array(sessions.values)
        }
        for session in open { session.close() }
    }

    /// A captured value: kept for later commands, and masked from now on.
    func keep(_ value: String, as name: String) {
        mask.add(Secret(value))
        lock.withLock { captures[name] = value }
    }

    var capturedValues: [String: String] { lock.withLock { captures } }

    func exclude(_ host: String) { _ = lock.withLock { excluded.insert(host) } }

    func isExcluded(_ host: String) -> Bool { lock.withLock { excluded.contains(host) } }
}
