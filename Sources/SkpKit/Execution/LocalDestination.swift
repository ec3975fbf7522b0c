import Foundation

/// Where a download lands on this machine. The folders on the way are opened one at a time,
/// never through a symlink that someone other than this user (or root) made, and the file
/// itself is only ever replaced by renaming a finished temporary file of the same folder over
/// it: a reader never sees half a file, a failed transfer leaves the old one, and a link at the
/// destination is refused (and if one appears later, rename replaces the link, never its target).
final class LocalDestination {
    let path: String
    /// The destination's folder, held open: later calls cannot be sent elsewhere by a rename.
    private let folder: Int32
    private let name: String

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    private init(path: String, folder: Int32, name: String) {
        self.path = path
        self.folder = folder
        self.name = name
    }

    deinit { Glibc.close(folder) }

    /// Opens the destination's folder, creating missing folders 0700 when `create`. Nil when a
    /// folder is missing and `create` is false (`--check`: nothing was fetched yet).
    static func open(_ path: String, create: Bool) throws -> LocalDestination? {
        var components = path.split(separator: "/").map(String.init)
        guard let name = components.popLast(), name != ".", name != ".." else {
            throw Problem(description: "\(path.visible()) names a folder, not a file")
        }
        var fd = Glibc.open(path.hasPrefix("/") ? "/" : ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot open the current folder: \(errorText())") }
        var walked = path.hasPrefix("/") ? "/" : ""
        for component in components where component != "." {
            walked += (walked.isEmpty || walked.hasSuffix("/") ? "" : "/") + component
            var info = stat()
            if fstatat(fd, component, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                guard errno == ENOENT, create else {
                    let reason = errno == ENOENT ? nil : errorText()
                    Glibc.close(fd)
                    if let reason { throw Problem(description: "cannot look at \(walked.visible()): \(reason)") }
                    return nil
                }
                // Private: a fetched file may be a secret (a swarm's keys); its owner widens it.
                if mkdirat(fd, component, 0o700) != 0 && errno != EEXIST {
                    let reason = errorText()
                    Glibc.close(fd)
                    throw Problem(description: "cannot create the folder \(walked.visible()): \(reason)")
                }
                _ = fstatat(fd, component, &info, AT_SYMLINK_NOFOLLOW)
            }
            var flags = O_DIRECTORY | O_RDONLY | O_CLOEXEC
            if info.st_mode & S_IFMT == S_IFLNK {
                // The user's own links (a bigger disk) and the system's are followed; a link
                // another user could have planted (in /tmp, say) could send the file anywhere.
                guard info.st_uid == geteuid() || info.st_uid == 0 else {
                    Glibc.close(fd)
                    throw Problem(description: "\(walked.visible()) is a symlink owned by uid \(info.st_uid): skp does not follow it")
                }
            } else {
                flags |= O_NOFOLLOW
            }
            let next = openat(fd, component, flags)
            let reason = errorText()
            Glibc.close(fd)
            guard next >= 0 else { throw Problem(description: "cannot open the folder \(walked.visible()): \(reason)") }
            fd = next
        }
        return LocalDestination(path: path, folder: fd, name: name)
    }

    /// The file there now: size and permissions, or nil when there is none. A symlink or anything
    /// but a regular file is refused: skp neither follows nor replaces what it did not make.
    func existing() throws -> (size: UInt64, mode: mode_t)? {
        var info = stat()
        guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return nil }
            throw Problem(description: "cannot look at \(path.visible()): \(Self.errorText())")
        }
        if info.st_mode & S_IFMT == S_IFLNK {
            throw Problem(description: "\(path.visible()) is a symlink: skp does not follow or replace it (remove it first)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Problem(description: "\(path.visible()) exists and is not a regular file")
        }
        return (UInt64(info.st_size), info.st_mode & 0o7777)
    }

    /// The SHA-256 of the file there now, read in pieces (a 1 GB file is never held whole).
    func sha256() throws -> String {
        let fd = try openExisting(O_RDONLY)
        defer { Glibc.close(fd) }
        let hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Problem(description: "cannot read \(path.visible()): \(Self.errorText())") }
            if n == 0 { return hasher.finish() }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Sets the permissions of the file there now (same content, mode changed on the host).
    func setMode(_ mode: mode_t) throws {
        let fd = try openExisting(O_RDONLY)
        defer { Glibc.close(fd) }
        guard fchmod(fd, mode) == 0 else { throw Problem(description: "cannot set the mode of \(path.visible()): \(Self.errorText())") }
    }

    /// Writes a new file through `body` (which hands each piece to the writer it is given),
    /// then, if `body` says so, renames it over the destination with `mode`; returns whether it
    /// did. Otherwise, and on any error, the temporary file goes.
    func replace(mode: mode_t, _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Bool) throws -> Bool {
        // In the same folder, so the rename is atomic; short enough for any file name limit.
        let temp = ".skp-" + String(UInt64.random(in: 0...UInt64.max), radix: 36) + "-" + String(name.prefix(64))
        var fd = openat(folder, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Problem(description: "cannot create a file next to \(path.visible()): \(Self.errorText())") }
        var renamed = false
        defer {
            if fd >= 0 { Glibc.close(fd) }
            if !renamed { unlinkat(folder, temp, 0) }
        }
        guard try body({ bytes in try Self.writeAll(fd, bytes, path: self.path) }) else { return false }
        // Durable before it replaces the old file: a crash leaves one or the other, whole.
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            throw Problem(description: "cannot finish \(path.visible()): \(Self.errorText())")
        }
        Glibc.close(fd)
        fd = -1
        guard renameat(folder, temp, folder, name) == 0 else {
            throw Problem(description: "cannot put the file in place at \(path.visible()): \(Self.errorText())")
        }
        renamed = true
        return true
    }

    private func openExisting(_ flags: Int32) throws -> Int32 {
        let fd = openat(folder, name, flags | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot open \(path.visible()): \(Self.errorText())") }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Problem(description: "cannot write \(path.visible()): \(errorText())") }
            offset += n
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
