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
    /// Connections opened as each task starts, taken on first use (`connectEarly`).
    private let early: EarlyConnections
    /// Hosts whose one command of the run goes on a channel of its own (`HostRun.loneCommands`).
    let loneCommands: Set<Int>

    init(plan: Plan, transport: Transport, endpoints: EndpointResolver, settings: RunSettings, cancel: Cancellation,
         mask: SharedMask, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.plan = plan
        self.transport = transport
        self.endpoints = endpoints
        self.settings = settings
        self.cancel = cancel
        self.mask = mask
        self.emit = emit
        early = EarlyConnections(transport: transport, runCancel: cancel)
        loneCommands = HostRun.loneCommands(in: plan)
    }

    func send(_ event: RunEvent) { emit(event) }

    /// The host's one connection, opened on first use and kept for the whole invocation.
    func connection(for host: HostPlan, password: Secret?) throws -> RemoteSession {
        guard let index = host.host else { return local }
        if let session = lock.withLock({ sessions[index] }) { return session }
        let endpoint = endpoints.endpoint(for: plan.inventory.hosts[index], password: password)
        send(.connecting(host: host.name))
        do {
            let session = try early.take(index)?.get() ?? transport.connect(to: endpoint, cancel: cancel)
            send(.connected(host: host.name))
            lock.withLock { sessions[index] = session }
            return session
        } catch TransportError.cancelled {
            throw StepFailure(status: .cancelled, message: "interrupted")
        } catch let error as TransportError {
            throw StepFailure(status: .unreachable, message: error.description)
        }
    }

    /// Starts connecting, in parallel, to the hosts that the task at `taskIndex` and the tasks
    /// after it reach and that have no connection yet, before any of their steps needs one
    /// (`EarlyConnections`). Not past a later task that runs on the control machine: it may be
    /// what makes its hosts reachable (`lab.up`, `vagrant.up`, `ssh.copy-id`).
    func connectEarly(from taskIndex: Int, width: Int) {
        let open = lock.withLock { Set(sessions.keys) }
        let current = plan.tasks[taskIndex]
        // The first stage's hosts are connected to by its own fan-out at once, in parallel.
        var seen = Set(current.stages.first?.hosts.compactMap(\.host) ?? []), hosts: [(index: Int, endpoint: Endpoint, batches: Bool)] = []
        for (offset, task) in plan.tasks[taskIndex...].enumerated() {
            if offset > 0, task.stages.contains(where: { $0.hosts.contains { $0.host == nil } }) { break }
            for stage in offset == 0 ? task.stages.dropFirst() : task.stages[...] {
                for host in stage.hosts {
                    guard let index = host.host, !open.contains(index), !isExcluded(host.name), seen.insert(index).inserted else { continue }
                    hosts.append((index, endpoints.endpoint(for: plan.inventory.hosts[index], password: Executor.sshPassword(of: task)),
                                  batches: !loneCommands.contains(index)))
                }
            }
        }
        if !hosts.isEmpty { early.start(hosts, width: width) }
    }

    func closeConnections() {
        early.finish()
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
