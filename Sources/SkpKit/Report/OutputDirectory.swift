import Foundation

/// The folder of `--output-dir`, opened so that no one else's symlink can send skp's writes
/// elsewhere: every component is created 0700 when missing and opened without following
/// symlinks, except a symlink that we (or root) own; the folder itself must be ours. Inside it,
/// host folders and files are never symlinks: an entry there that is not our own folder or
/// regular file is refused, so a planted link is never written through.
final class OutputDirectory: @unchecked Sendable {
    // @unchecked: `fd` is set once in init and only read after; the kernel serialises its use.
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    let fd: Int32

    init(_ path: String) throws {
        self.path = path
        var current = open(path.hasPrefix("/") ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard current >= 0 else { throw Refused(description: "cannot open \(path): \(Self.reason(errno))") }
        var walked = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/").map(String.init) where component != "." {
            walked += "/" + component
            if mkdirat(current, component, 0o700) != 0 && errno != EEXIST {
                let error = errno
                close(current)
                throw Refused(description: "cannot create \(walked): \(Self.reason(error))")
            }
            var next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            var error = errno
            if next < 0, let owner = Self.symlinkOwner(current, component) {
                // A symlink of ours or root's is the user's own layout (/var/run → /run); anyone
                // else's could point our files anywhere.
                guard owner == geteuid() || owner == 0 else {
                    close(current)
                    throw Refused(description: "\(walked) is a symlink owned by uid \(owner): refusing to follow it")
                }
                next = openat(current, component, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                error = errno
            }
            close(current)
            guard next >= 0 else { throw Refused(description: "cannot open \(walked): \(Self.reason(error))") }
            current = next
        }
        var info = stat()
        guard fstat(current, &info) == 0, info.st_uid == geteuid() else {
            close(current)
            throw Refused(description: "\(path) is not yours (owner uid \(info.st_uid)): refusing to write into it")
        }
        fd = current
    }

    deinit { close(fd) }

    /// The host's folder in this one, created 0700; refused when it is anything but our folder.
    func folder(_ name: String) throws -> Int32 {
        if mkdirat(fd, name, 0o700) != 0 && errno != EEXIST { throw Refused(description: "cannot create \(path)/\(name): \(Self.reason(errno))") }
        let folder = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { throw Refused(description: "\(path)/\(name) is not a folder of ours (\(Self.reason(errno))): refusing it") }
        var info = stat()
        guard fstat(folder, &info) == 0, info.st_uid == geteuid() else {
            close(folder)
            throw Refused(description: "\(path)/\(name) is not yours: refusing to write into it")
        }
        return folder
    }

    /// A new file `name` in `folder`, 0600, replacing a regular file of ours from an earlier
    /// run; anything else there (a symlink, someone else's file) is refused and left alone.
    func create(_ name: String, in folder: Int32, shownAs shown: String) throws -> Int32 {
        var info = stat()
        if fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else {
                throw Refused(description: "\(path)/\(shown) is not a file of ours (a symlink?): refusing to write through it")
            }
            if unlinkat(folder, name, 0) != 0 && errno != ENOENT { throw Refused(description: "cannot replace \(path)/\(shown): \(Self.reason(errno))") }
        }
        // O_EXCL: if something appeared since, creating fails instead of writing through it.
        let file = openat(folder, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw Refused(description: "cannot create \(path)/\(shown): \(Self.reason(errno))") }
        // The umask may only take bits away; set the mode exactly.
        fchmod(file, 0o600)
        return file
    }

    private static func symlinkOwner(_ folder: Int32, _ name: String) -> uid_t? {
        var info = stat()
        guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK else { return nil }
        return info.st_uid
    }

    static func reason(_ error: Int32) -> String { String(cString: strerror(error)) }
}
