import Foundation

/// Something drawn under the output on a terminal (the status board): cleared before each write
/// and drawn again after, so output scrolls above it. Called with the screen's lock held.
protocol ScreenOverlay: AnyObject {
    func clear()
    func draw()
}

/// The one output lock of a run: every live view writes through it, so lines from many hosts
/// never interleave mid-line and the status board stays at the bottom.
final class Screen: @unchecked Sendable {
    // @unchecked: `overlay` is set once before the run starts; writes happen only under `lock`.
    private let lock = NSLock()
    weak var overlay: ScreenOverlay?
    /// Where output goes: stdout, or a test's buffer.
    private let out: (String) -> Void

    init(out: @escaping (String) -> Void = StandardStream.out) { self.out = out }

    /// Runs `body` holding the output lock; the views are only ever called inside it.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Writes to stdout with the lock already held, keeping the overlay at the bottom.
    func write(_ text: String) {
        overlay?.clear()
        out(text)
        overlay?.draw()
    }
}
