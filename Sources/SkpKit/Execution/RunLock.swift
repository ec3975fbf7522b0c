import Foundation

/// One run at a time per inventory: two skp runs changing the same swarm at once would interleave
/// their steps (two `swarm-init`s, a join during a leave). The lock is an flock on a file named
/// after the inventory's real path, in a folder every user of the machine shares; the kernel
/// drops it when the process ends, however it ends. The holder writes who it is into the file
/// so a waiting run can say what it waits for.
public final class RunLock {
    private let fd: Int32

    public struct Busy: Error, CustomStringConvertible {
        public let holder: String
        public var description: String { "another skp run holds this inventory: \(holder)" }
    }

    /// Takes the lock for `inventory` (the hosts file). When another run holds it: waits
    /// (telling `waiting` once) until it is free or `cancel` fires, or with `wait == false`
    /// throws `Busy` at once.
    public init(inventory: String, command: String, wait: Bool, cancel: Cancellation,
                waiting: (String) -> Void) throws {
        let folder = Self.folder
        mkdir(folder, 0o1777)
        chmod(folder, 0o1777)
        let real = URL(fileURLWithPath: inventory).resolvingSymlinksInPath().path
        let path = "\(folder)/\(Self.hash(real)).lock"
        let previous = umask(0)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        umask(previous)
        guard fd >= 0 else { throw Diagnostic("cannot open the run lock \(path): \(String(cString: strerror(errno)))") }
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.holder(fd) ?? "pid unknown"
            guard wait else { close(fd); throw Busy(holder: holder) }
            if !told { waiting(holder); told = true }
            if cancel.isCancelled { close(fd); throw Busy(holder: holder) }
            usleep(100_000)
        }
        let stamp = ISO8601DateFormatter().string(from: Date())
        let text = "pid \(getpid()), `\(command)`, started \(stamp), inventory \(real)\n"
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }

    static var folder: String {
        ProcessInfo.processInfo.environment["SKP_LOCK_DIR"] ?? "/tmp/skp-locks"
    }

    private static func holder(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        let n = pread(fd, &buffer, buffer.count - 1, 0)
        guard n > 0 else { return nil }
        return String(cString: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// FNV-1a: stable across runs and builds (Swift's Hasher is seeded per process).
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(value, radix: 16)
    }
}
