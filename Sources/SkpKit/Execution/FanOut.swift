import Foundation

/// Runs a body for each host of a stage on at most `width` threads, taking hosts in order as
/// threads free up; returns each host's success in the hosts' order, nil for a host never
/// started. With `batch` (`serial N`) the hosts go in batches of that many: a batch's hosts run
/// at once (still at most `width`), and the next batch starts only when every host of the
/// previous one is done. With `failLimit` (`--max-fail`), once that many hosts have failed
/// (`failedBefore` included) no host starts; the ones running finish. A batch that starts
/// starts its first `width` hosts together whatever happens meanwhile, so which hosts ran does
/// not depend on how fast threads start; hosts waiting for a free thread are the ones the limit
/// keeps out. Stops taking hosts once the run is cancelled. `progress` gets the counts line
/// after each host.
struct FanOut {
    let width: Int
    let cancel: Cancellation
    /// Hosts per batch; nil: one batch of every host.
    var batch: Int? = nil
    /// Failed hosts at which no more host starts; nil: no limit.
    var failLimit: Int? = nil
    /// Hosts of the stage that failed before it started (earlier stages), counted toward the limit.
    var failedBefore = 0

    func run(_ count: Int, progress: @escaping (String) -> Void, _ body: @escaping (Int) -> Bool) -> [Bool?] {
        let state = Counters(count: count, failLimit: failLimit, failedBefore: failedBefore)
        let size = max(1, batch ?? count)
        for start in stride(from: 0, to: count, by: size) {
            if cancel.isCancelled || state.limitReached { break }
            let end = min(start + size, count)
            state.open(upTo: end, together: min(start + width, end))
            let group = DispatchGroup()
            for _ in 0..<min(width, end - start) {
                group.enter()
                let thread = Thread {
                    while !cancel.isCancelled, let index = state.take() {
                        progress(state.finish(index, ok: body(index)))
                    }
                    group.leave()
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            group.wait()
        }
        return state.results
    }

    /// The shared counters of one fan-out.
    private final class Counters: @unchecked Sendable {
        // @unchecked: every field is read and written under `lock`. Taking a host and counting a
        // failure share that lock, so no host starts after the failure that reached the limit.
        private let lock = NSLock()
        private var next = 0, end = 0, together = 0, done = 0, failed = 0
        private let failLimit: Int?
        private let failedBefore: Int
        private(set) var results: [Bool?]

        init(count: Int, failLimit: Int?, failedBefore: Int) {
            results = [Bool?](repeating: nil, count: count)
            self.failLimit = failLimit
            self.failedBefore = failedBefore
        }

        var limitReached: Bool { lock.withLock { reached } }

        private var reached: Bool { failLimit.map { failedBefore + failed >= $0 } ?? false }

        /// Lets the hosts before `end` be taken: the next batch, whose hosts before `together`
        /// start as one wave.
        func open(upTo end: Int, together: Int) { lock.withLock { (self.end, self.together) = (end, together) } }

        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < end, next < together || !reached else { return nil }
            next += 1
            return next - 1
        }

        func finish(_ index: Int, ok: Bool) -> String {
            lock.lock(); defer { lock.unlock() }
            results[index] = ok
            done += 1
            if !ok { failed += 1 }
            return "\(done)/\(results.count) done · \(failed) failed · \(next - done) running"
        }
    }
}
