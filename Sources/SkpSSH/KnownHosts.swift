import CLibSSH2
import Foundation
import SkpKit

/// known_hosts files, each read once per run and kept while it does not change: a fleet's
/// known_hosts has a line per host, and reading all of it for every connection cost a fleet of
/// 1,000 hosts a million lines parsed (about a quarter of a millisecond per connection, under a
/// lock). The file's identity, size and modification time say whether it changed (another skp,
/// `ssh-keygen -R`); a line this process appends is added to the kept copy as well.
///
/// libssh2 ties a collection to a session (for its allocator and errors): the collections belong
/// to one session of their own that never connects. Every use is under one lock.
final class KnownHosts: @unchecked Sendable {
    // @unchecked: every field is only touched under `lock`.
    static let shared = KnownHosts()

    private struct Stamp: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            self.init(info)
        }

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            seconds = info.st_mtim.tv_sec
            nanoseconds = info.st_mtim.tv_nsec
        }
    }

    private let lock = NSLock()
    private let owner: OpaquePointer?
    private var files: [String: (stamp: Stamp?, hosts: OpaquePointer)] = [:]

    private init() {
        owner = libssh2_session_init_ex(nil, nil, nil, nil)
    }

    /// libssh2's answer for this host key (`LIBSSH2_KNOWNHOST_CHECK_*`).
    func check(_ path: String, host: String, port: Int, key: UnsafePointer<CChar>, length: Int, mask: Int32) -> Int32 {
        lock.withLock {
            guard let hosts = current(path) else { return LIBSSH2_KNOWNHOST_CHECK_FAILURE }
            var found: UnsafeMutablePointer<libssh2_knownhost>?
            return libssh2_knownhost_checkp(hosts, host, Int32(port), key, length, mask, &found)
        }
    }

    /// Appends `line` to the file (flock: other skp processes append too) and to the kept copy.
    func append(_ line: String, to path: String) throws {
        try lock.withLock {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw TransportError.connect("cannot write \(path): \(String(cString: strerror(errno)))") }
            defer { Glibc.close(fd) }
            flock(fd, LOCK_EX)
            defer { flock(fd, LOCK_UN) }
            var before = stat()
            fstat(fd, &before)
            let written = line.withCString { write(fd, $0, strlen($0)) }
            guard written == line.utf8.count else { throw TransportError.connect("cannot write \(path)") }
            // The kept copy follows only when nobody else wrote since it was read.
            guard let kept = files[path], kept.stamp == Stamp(before) else {
                files[path]?.stamp = nil
                return
            }
            var after = stat()
            fstat(fd, &after)
            libssh2_knownhost_readline(kept.hosts, line, line.utf8.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
            files[path]?.stamp = Stamp(after)
        }
    }

    /// The collection for `path`, read again when the file changed (or is gone: then empty).
    private func current(_ path: String) -> OpaquePointer? {
        let stamp = Stamp(path)
        if let kept = files[path], kept.stamp != nil, kept.stamp == stamp { return kept.hosts }
        guard let owner, let hosts = libssh2_knownhost_init(owner) else { return nil }
        if let old = files[path] { libssh2_knownhost_free(old.hosts) }
        if stamp != nil { _ = libssh2_knownhost_readfile(hosts, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH) }
        files[path] = (stamp, hosts)
        return hosts
    }
}
