import Foundation

/// Runs a body for each host of a stage on at most `width` threads, taking hosts in order as
/// threads free up; returns each host's success, in the hosts' order. Stops taking hosts once
/// the run is cancelled. `progress` gets the counts line after each host.
struct FanOut {
    let width: Int
    let cancel: Cancellation

    func run(_ count: Int, progress: @escaping (String) -> Void, _ body: @escaping (Int) -> Bool) -> [Bool] {
        let state = Counters(count: count)
        let group = DispatchGroup()
        let threads = min(width, count)
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                while !cancel.isCancelled, let index = state.take() {
                    progress(state.finish(index, ok: body(index), threads: threads))
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return state.results
    }

    /// The shared counters of one fan-out.
    private final class Counters: @unchecked Sendable {
        // @unchecked: every field is read and written under `lock`.
        private let lock = NSLock()
        private var next = 0, done = 0, failed = 0
        private(set) var results: [Bool]

        init(count: Int) { results = [Bool](repeating: true, count: count) }

        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < results.count else { return nil }
            next += 1
            return next - 1
        }

        func finish(_ index: Int, ok: Bool, threads: Int) -> String {
            lock.lock(); defer { lock.unlock() }
            results[index] = ok
            done += 1
            if !ok { failed += 1 }
            return "\(done)/\(results.count) done · \(failed) failed · \(min(threads, results.count - done)) running"
        }
    }
}
