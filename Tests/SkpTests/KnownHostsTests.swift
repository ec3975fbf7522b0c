import CLibSSH2
import Foundation
@testable import SkpSSH
import Testing

/// known_hosts is read once per run and kept while the file does not change (KnownHosts): the
/// kept copy must still answer exactly as reading the file each time would.
@Suite(.serialized) struct KnownHostsTests {
    static func blob(_ seed: UInt8) -> [UInt8] {
        [0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 32] + (0..<32).map { seed &+ UInt8($0) }
    }

    static func line(_ host: String, _ seed: UInt8) -> String {
        "\(host) ssh-ed25519 \(Data(blob(seed)).base64EncodedString())\n"
    }

    static let mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | LIBSSH2_KNOWNHOST_KEY_ED25519

    func withKey<T>(_ seed: UInt8, _ body: (UnsafePointer<CChar>, Int) throws -> T) rethrows -> T {
        let key = Self.blob(seed)
        return try key.withUnsafeBufferPointer { raw in
            try raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { try body($0, raw.count) }
        }
    }

    func check(_ path: String, _ host: String, _ seed: UInt8) -> Int32 {
        withKey(seed) { KnownHosts.shared.check(path, host: host, port: 22, key: $0, length: $1, mask: Self.mask) }
    }

    func record(_ path: String, _ host: String, _ seed: UInt8) throws -> Int32 {
        try withKey(seed) {
            try KnownHosts.shared.record(Self.line(host, seed), to: path, host: host, port: 22, key: $0, length: $1, mask: Self.mask)
        }
    }

    static func temporary() -> String { NSTemporaryDirectory() + "skp-known-\(UUID().uuidString)" }

    @Test func theKeptCopyAnswersAsTheFileDoesThroughRecordsAndChangesByOthers() throws {
        let path = Self.temporary()
        defer { unlink(path) }
        #expect(check(path, "10.0.0.1", 1) == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)  // no file yet
        try Self.line("10.0.0.1", 1).write(toFile: path, atomically: false, encoding: .utf8)
        #expect(check(path, "10.0.0.1", 1) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        #expect(check(path, "10.0.0.1", 2) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        #expect(check(path, "10.0.0.2", 1) == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        // Recorded here (from many threads at once): in the file once each, and known at once.
        DispatchQueue.concurrentPerform(iterations: 20) { i in _ = try? record(path, "10.0.1.\(i)", UInt8(i)) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 21)
        for i in 0..<20 { #expect(check(path, "10.0.1.\(i)", UInt8(i)) == LIBSSH2_KNOWNHOST_CHECK_MATCH) }
        // A second key for a host recorded meanwhile is refused, and not written.
        #expect(try record(path, "10.0.1.3", 99) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 21)
        // Another process appends a host: seen.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(Self.line("10.0.0.3", 3).utf8))
        handle.closeFile()
        #expect(check(path, "10.0.0.3", 3) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        // `ssh-keygen -R` rewrites the file without a host: forgotten.
        try Self.line("10.0.0.9", 9).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(check(path, "10.0.0.1", 1) == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        #expect(check(path, "10.0.0.9", 9) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
    }

    /// Rewritten in place, same size, its modification time put back (`cp -p`): still seen.
    @Test func aSameSizeRewriteWithItsOldModificationTimeIsSeen() throws {
        let path = Self.temporary()
        defer { unlink(path) }
        try Self.line("10.0.2.1", 1).write(toFile: path, atomically: false, encoding: .utf8)
        var before = stat()
        stat(path, &before)
        #expect(check(path, "10.0.2.1", 1) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data(Self.line("10.0.2.1", 2).utf8))  // same length, another key
        handle.closeFile()
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        #expect(check(path, "10.0.2.1", 1) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
    }

    /// A line libssh2 cannot read is skipped, as OpenSSH skips it: the hosts below it are still
    /// known (a changed key of theirs must read as changed, not as new).
    @Test func aBadLineDoesNotHideTheHostsBelowIt() throws {
        let path = Self.temporary()
        defer { unlink(path) }
        let text = Self.line("10.0.3.1", 1) + "only-a-host-name\n" + "10.0.3.9 ssh-ed25519 short\n"
            + String(repeating: "x", count: 5000) + " ssh-ed25519 AAAA\n" + "# a comment\n\n" + Self.line("10.0.3.2", 2)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(check(path, "10.0.3.1", 1) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        #expect(check(path, "10.0.3.2", 2) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        #expect(check(path, "10.0.3.2", 7) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
    }
}
