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

    /// What says a file changed: a rewrite in place of the same size with its modification time
    /// put back (`cp -p`) still moves the change time.
    private struct Stamp: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, modified: timespec, changed: timespec

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            self.init(info)
        }

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = info.st_mtim
            changed = info.st_ctim
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

    /// Records a key the check did not find: under the lock and flock (other skp processes
    /// append too) the file is looked at again first, so two connections to one address never
    /// record two keys; if the host is known by now, that answer is returned and nothing written.
    /// Returns `LIBSSH2_KNOWNHOST_CHECK_NOTFOUND` when `line` was appended.
    func record(_ line: String, to path: String, host: String, port: Int, key: UnsafePointer<CChar>, length: Int,
                mask: Int32) throws -> Int32 {
        try lock.withLock {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw TransportError.connect("cannot write \(path): \(String(cString: strerror(errno)))") }
            defer { Glibc.close(fd) }
            flock(fd, LOCK_EX)
            defer { flock(fd, LOCK_UN) }
            guard let hosts = current(path) else { return LIBSSH2_KNOWNHOST_CHECK_FAILURE }
            var found: UnsafeMutablePointer<libssh2_knownhost>?
            let now = libssh2_knownhost_checkp(hosts, host, Int32(port), key, length, mask, &found)
            guard now == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND else { return now }
            var before = stat()
            fstat(fd, &before)
            let written = line.withCString { write(fd, $0, strlen($0)) }
            guard written == line.utf8.count else {
                let reason = written < 0 ? String(cString: strerror(errno)) : "short write"
                // Never leave half a line for the next one to be glued to.
                _ = ftruncate(fd, before.st_size)
                files[path]?.stamp = nil
                throw TransportError.connect("cannot write \(path): \(reason)")
            }
            // The kept copy takes the line only when nothing else was written meanwhile (a writer
            // without flock: OpenSSH, `>>`); otherwise it is read again next time.
            var after = stat()
            fstat(fd, &after)
            if files[path]?.stamp == Stamp(before), Int64(after.st_size) == Int64(before.st_size) + Int64(written) {
                libssh2_knownhost_readline(hosts, line, line.utf8.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
                files[path]?.stamp = Stamp(after)
            } else {
                files[path]?.stamp = nil
            }
            return LIBSSH2_KNOWNHOST_CHECK_NOTFOUND
        }
    }

    /// The collection for `path`, read again when the file changed (or is gone: then empty).
    private func current(_ path: String) -> OpaquePointer? {
        let stamp = Stamp(path)
        if let kept = files[path], kept.stamp != nil, kept.stamp == stamp { return kept.hosts }
        guard let owner, let hosts = libssh2_knownhost_init(owner) else { return nil }
        if let old = files[path] { libssh2_knownhost_free(old.hosts) }
        if stamp != nil, let text = FileManager.default.contents(atPath: path) {
            // Line by line, a line libssh2 cannot read skipped as OpenSSH skips it:
            // libssh2_knownhost_readfile stops at the first, and every host below it would read
            // as unknown (a changed key then recorded as new).
            for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
                // As fgets hands it to libssh2: the line break kept, NUL-terminated.
                let terminated = Array(line) + [UInt8(ascii: "\n"), 0]
                terminated.withUnsafeBytes { raw in
                    raw.withMemoryRebound(to: CChar.self) {
                        _ = libssh2_knownhost_readline(hosts, $0.baseAddress, $0.count - 1, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
                    }
                }
            }
        }
        files[path] = (stamp, hosts)
        return hosts
    }
}
