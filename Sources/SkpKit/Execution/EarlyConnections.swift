import Foundation

/// Connections opened before they are needed: as a task starts, every host it and the tasks
/// after it reach is connected to in parallel (at most `forks` at once), while its first stages
/// run. Far from the hosts a connection costs about ten round trips (half a second at 50 ms);
/// opened on first use, a `serial` stage or a stage after a one-host stage would pay them one
/// after another.
///
/// Not past a task that runs on the control machine: it may be what makes a host reachable
/// (`lab.up`, `vagrant.up`, `ssh.copy-id`); the tasks after it start their own when they start.
/// For the same reason an early attempt that failed fast (refused, a key not yet authorized) is
/// not final: the first step that needs the host tries again. One that failed slowly (a timeout)
/// is final, so a host that is down is not waited for twice.
/// Nothing is said about a connection until a step asks for it: then the usual `connecting` and
/// `connected` events (or the failure) come, as if it had been opened there.
final class EarlyConnections: @unchecked Sendable {
    // @unchecked: every field but `cancel` and `group` is only touched under `lock`; each
    // semaphore is signalled once, after its host's result is stored.
    private let lock = NSLock()
    private var results: [Int: (result: Result<RemoteSession, Error>, seconds: Double)] = [:]
    private var ready: [Int: DispatchSemaphore] = [:]
    private var taken = Set<Int>()
    private let cancel: Cancellation
    private let group = DispatchGroup()
    private let transport: Transport
    /// An attempt that failed faster than this is tried again at first use.
    static let quickFailure = 2.0

    init(transport: Transport, runCancel: Cancellation) {
        self.transport = transport
        cancel = Cancellation(following: runCancel)
    }

    /// Starts connecting to those of `hosts` not started before, `width` at a time.
    /// `batches`: the host will run batches of steps, so their channel is opened too.
    func start(_ hosts: [(index: Int, endpoint: Endpoint, batches: Bool)], width: Int) {
        let fresh = lock.withLock { () -> [(index: Int, endpoint: Endpoint, batches: Bool)] in
            let new = hosts.filter { ready[$0.index] == nil }
            for host in new { ready[host.index] = DispatchSemaphore(value: 0) }
            return new
        }
        guard !fresh.isEmpty else { return }
        var queue = fresh[...]
        let queueLock = NSLock()
        for _ in 0..<min(width, fresh.count) {
            group.enter()
            let thread = Thread { [self] in
                while let next = queueLock.withLock({ queue.popFirst() }) {
                    let start = Date()
                    let result: Result<RemoteSession, Error> = cancel.isCancelled
                        ? .failure(TransportError.cancelled)
                        : Result {
                            let session = try transport.connect(to: next.endpoint, cancel: cancel)
                            if transport.runsBatches, next.batches { session.prepareBatches(cancel: cancel) }
                            return session
                        }
                    let semaphore = lock.withLock { () -> DispatchSemaphore? in
                        results[next.index] = (result, Date().timeIntervalSince(start))
                        return ready[next.index]
                    }
                    semaphore?.signal()
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// The host's early connection, waiting for it if it is still being made; nil when it was
    /// not started early, was taken already, or failed fast (the caller connects itself then).
    /// A slow failure is returned as the failure.
    func take(_ index: Int) -> Result<RemoteSession, Error>? {
        guard let semaphore = lock.withLock({ taken.insert(index).inserted ? ready[index] : nil }) else { return nil }
        semaphore.wait()
        guard let outcome = lock.withLock({ results.removeValue(forKey: index) }) else { return nil }
        if case .failure = outcome.result, outcome.seconds < Self.quickFailure { return nil }
        return outcome.result
    }

    /// The run is over: attempts still under way are given up, connections never used closed.
    func finish() {
        cancel.cancel()
        group.wait()
        let unused = lock.withLock { () -> [RemoteSession] in
            defer { results.removeAll() }
            return results.values.compactMap { try? $0.result.get() }
        }
        for session in unused { session.close() }
    }
}
