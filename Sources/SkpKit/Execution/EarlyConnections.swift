import Foundation

/// Connections opened before they are needed: at the start of a run, every host the plan will
/// reach is connected to in parallel (at most `forks` at once), while the first stages run. Far
/// from the hosts a connection costs about ten round trips (half a second at 50 ms); opened on
/// first use, a `serial` stage or a stage after a one-host stage would pay them one after another.
/// Nothing is said about a connection until a step asks for it: then the usual `connecting` and
/// `connected` events (or the failure) come, as if it had been opened there.
final class EarlyConnections: @unchecked Sendable {
    // @unchecked: `results`, `queue` and `taken` are only touched under `lock`; `ready` is set
    // in init and only read after, each semaphore signalled once.
    private let lock = NSLock()
    private var results: [Int: Result<RemoteSession, Error>] = [:]
    private var taken = Set<Int>()
    private let ready: [Int: DispatchSemaphore]
    private var queue: [(index: Int, endpoint: Endpoint)] = []
    private let cancel: Cancellation
    private let group = DispatchGroup()

    /// Starts connecting to `hosts` (host index and where to log in), in order.
    init(_ hosts: [(index: Int, endpoint: Endpoint)], transport: Transport, width: Int, runCancel: Cancellation) {
        queue = hosts
        cancel = Cancellation(following: runCancel)
        ready = Dictionary(hosts.map { ($0.index, DispatchSemaphore(value: 0)) }) { first, _ in first }
        for _ in 0..<min(width, hosts.count) {
            group.enter()
            let thread = Thread { [self] in
                while let next = take() {
                    let result: Result<RemoteSession, Error>
                    if cancel.isCancelled {
                        result = .failure(TransportError.cancelled)
                    } else {
                        result = Result { try transport.connect(to: next.endpoint, cancel: cancel) }
                    }
                    lock.withLock { results[next.index] = result }
                    ready[next.index]?.signal()
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func take() -> (index: Int, endpoint: Endpoint)? {
        lock.withLock { queue.isEmpty ? nil : queue.removeFirst() }
    }

    /// The host's connection (or why there is none), waiting for it if it is still being made.
    /// Each host's result is handed out once; after that, nil.
    func take(_ index: Int) -> Result<RemoteSession, Error>? {
        guard let semaphore = ready[index], lock.withLock({ taken.insert(index).inserted }) else { return nil }
        semaphore.wait()
        return lock.withLock { results.removeValue(forKey: index) }
    }

    /// The run is over: connections not yet made are given up, those made and never used closed.
    func finish() {
        cancel.cancel()
        lock.withLock { queue.removeAll() }
        group.wait()
        let unused = lock.withLock { () -> [RemoteSession] in
            defer { results.removeAll() }
            return results.values.compactMap { try? $0.get() }
        }
        for session in unused { session.close() }
    }
}
