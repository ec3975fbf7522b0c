import Foundation

/// One run at a time per inventory: two skp runs changing the same swarm at once would interleave
/// their steps (two `swarm-init`s, a join during a leave). The lock is an flock on a file named
/// after the inventory's real path; the kernel drops it when the process ends, however it ends.
/// The holder writes who it is into the file so a waiting run can say what it waits for.
///
/// skp runs as root, so the lock folder is treated like OpenSSH treats its control sockets: it is
/// the user's own (`/run/skp` for root, `$XDG_RUNTIME_DIR/skp` or `/tmp/skp-UID` otherwise),
/// created 0700, and refused when someone else owns it or can write to it. The lock file is opened
/// in that folder (by its descriptor, so the folder cannot be swapped after the check) without
/// following symlinks, 0600, and refused unless it is a plain file of ours with one link. Nothing
/// is ever chmodded but our own new files, and the umask is left alone.
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
                environment: [String: String] = ProcessInfo.processInfo.environment,
                waiting: (String) -> Void) throws {
        let folder = Self.folder(environment)
        let directory = try Self.openPrivateFolder(folder)
        defer { close(directory) }
        let real = URL(fileURLWithPath: inventory).resolvingSymlinksInPath().path
        let name = "\(ContentHash.of(real.utf8)).lock"
        fd = openat(directory, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw Diagnostic("refusing the run lock \(folder)/\(name): \(reason)",
                             hint: "the lock folder must hold only skp's own files; remove \(folder) and run again")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), info.st_nlink == 1 else {
            close(fd)
            throw Diagnostic("refusing the run lock \(folder)/\(name): not a plain file of this user with one link",
                             hint: "remove \(folder) and run again")
        }
        if info.st_mode & 0o077 != 0 { fchmod(fd, 0o600) }
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

    /// The user's own lock folder. `$SKP_LOCK_DIR` moves it; it is checked the same way.
    static func folder(_ environment: [String: String]) -> String {
        if let folder = environment["SKP_LOCK_DIR"], !folder.isEmpty { return folder }
        let uid = geteuid()
        // /run is root's alone: no other user can create /run/skp first.
        if uid == 0 { return "/run/skp" }
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") { return runtime + "/skp" }
        return "/tmp/skp-\(uid)"
    }

    /// Creates `path` 0700 if missing; opens it without following a symlink; refuses a folder
    /// another user owns or others can write to (they could swap or plant the lock file).
    static func openPrivateFolder(_ path: String) throws -> Int32 {
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw Diagnostic("cannot create the run lock folder \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw Diagnostic("refusing the run lock folder \(path): \(errno == ELOOP || errno == ENOTDIR ? "not a folder (a symbolic link?)" : String(cString: strerror(errno)))",
                             hint: "remove it, or set SKP_LOCK_DIR to a folder of your own (mode 0700)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else { close(fd); throw Diagnostic("cannot check the run lock folder \(path)") }
        if info.st_uid != geteuid() {
            close(fd)
            throw Diagnostic("refusing the run lock folder \(path): it belongs to uid \(info.st_uid), not to this user (uid \(geteuid()))",
                             hint: "someone else created it; remove it, or set SKP_LOCK_DIR to a folder of your own (mode 0700)")
        }
        if info.st_mode & 0o022 != 0 {
            close(fd)
            throw Diagnostic("refusing the run lock folder \(path): others can write to it (mode \(String(info.st_mode & 0o7777, radix: 8)))",
                             hint: "chmod 700 \(path), or set SKP_LOCK_DIR to a folder of your own (mode 0700)")
        }
        return fd
    }

    /// Who holds the lock, as its holder wrote it: one line, control characters shown escaped
    /// (the text comes from a file; it must not be able to drive the waiting user's terminal).
    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        let text = String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Printable.escaped(text)
    }
}
