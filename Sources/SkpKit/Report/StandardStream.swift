import Foundation

/// Writes to stdout or stderr that never crash skp: `skp … | head` closes the pipe early, and
/// FileHandle.write traps on EPIPE. A closed stream is left alone from then on; the run goes on
/// and its exit code still tells how it went.
public enum StandardStream {
    private static let closed = Closed()

    private final class Closed: @unchecked Sendable {
        // @unchecked: `fds` is only touched under `lock`.
        private let lock = NSLock()
        private var fds: Set<Int32> = []
        func contains(_ fd: Int32) -> Bool { lock.lock(); defer { lock.unlock() }; return fds.contains(fd) }
        func insert(_ fd: Int32) { lock.lock(); fds.insert(fd); lock.unlock() }
    }

    public static func out(_ text: String) { write(text, to: 1) }
    public static func err(_ text: String) { write(text, to: 2) }

    public static func write(_ text: String, to fd: Int32) {
        guard !closed.contains(fd) else { return }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n > 0 { bytes = bytes.dropFirst(n); continue }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            closed.insert(fd)
            return
        }
    }
}
