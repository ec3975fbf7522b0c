import CLibSSH2
import Foundation
@testable import SkpSSH
import Testing

/// known_hosts is read once per run and kept while the file does not change (KnownHosts): the
/// kept copy must still answer exactly as reading the file each time would.
@Suite struct KnownHostsTests {
    static func blob(_ seed: UInt8) -> [UInt8] {
        [0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 32] + (0..<32).map { seed &+ UInt8($0) }
    }

    static func line(_ host: String, _ seed: UInt8) -> String {
        "\(host) ssh-ed25519 \(Data(blob(seed)).base64EncodedString())\n"
    }

    func check(_ path: String, _ host: String, _ seed: UInt8) -> Int32 {
        let key = Self.blob(seed)
        return key.withUnsafeBufferPointer { raw in
            raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                KnownHosts.shared.check(path, host: host, port: 22, key: $0, length: raw.count,
                                        mask: LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | LIBSSH2_KNOWNHOST_KEY_ED25519)
            }
        }
    }

    @Test func theKeptCopyAnswersAsTheFileDoesThroughAppendsAndChangesByOthers() throws {
        let path = NSTemporaryDirectory() + "skp-known-\(UUID().uuidString)"
        defer { unlink(path) }
        #expect(check(path, "10.0.0.1", 1) == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)  // no file yet
        try Self.line("10.0.0.1", 1).write(toFile: path, atomically: false, encoding: .utf8)
        #expect(check(path, "10.0.0.1", 1) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        #expect(check(path, "10.0.0.1", 2) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        #expect(check(path, "10.0.0.2", 1) == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        // Appended here (from many threads at once): in the file once each, and known at once.
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            try? KnownHosts.shared.append(Self.line("10.0.1.\(i)", UInt8(i)), to: path)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 21)
        for i in 0..<20 { #expect(check(path, "10.0.1.\(i)", UInt8(i)) == LIBSSH2_KNOWNHOST_CHECK_MATCH) }
        // Another process appends a host: seen.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(Self.line("10.0.0.3", 3).utf8))
        handle.closeFile()
        #expect(check(path, "10.0.0.3", 3) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        // `ssh-keygen -R` rewrites the file without a host (same size or not): forgotten.
        try Self.line("10.0.0.9", 9).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(check(path, "10.0.0.1", 1) == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        #expect(check(path, "10.0.0.9", 9) == LIBSSH2_KNOWNHOST_CHECK_MATCH)
    }
}
