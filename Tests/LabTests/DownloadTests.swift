import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// `ssh.get` (issue 18, item 2): large files fetched from several hosts at once, in bounded
    /// memory, and left alone when they have not changed.
    @Suite(.serialized) struct DownloadTests {
        static let hosts = ["c02", "c03", "c04"]
        static let remote = "/root/skp-get-1g.bin"

        /// Inode and modification time: a file rewritten with the same bytes changes both.
        func identity(_ path: String) -> String {
            var info = stat()
            guard lstat(path, &info) == 0 else { return "missing" }
            return "\(info.st_ino) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(String(info.st_mode & 0o7777, radix: 8))"
        }

        func sha256(_ path: String) throws -> String {
            String(try Binary.run([path], executable: "/usr/bin/sha256sum").stdout.prefix(64))
        }

        @Test func oneGigabyteFromThreeHostsInBoundedMemoryThenNothingTheSecondTime() throws {
            try Lab.up()
            // 1 GiB each, mostly a hole (quick to make), with random bytes at the start so each
            // host's file, and so its hash, is its own.
            for host in Self.hosts {
                try Lab.exec(host, "rm -f \(quoted(Self.remote)) && fallocate -l 1G \(quoted(Self.remote)) && "
                                 + "head -c 1048576 /dev/urandom | dd of=\(Self.remote) conv=notrunc status=none")
            }
            defer { for host in Self.hosts { _ = try? Lab.exec(host, "rm -f \(quoted(Self.remote))") } }
            var expected: [String: String] = [:]
            for host in Self.hosts { expected[host] = String(try Lab.output(host, "sha256sum \(quoted(Self.remote))").prefix(64)) }
            #expect(Set(expected.values).count == 3, "the hosts' files should differ: \(expected)")

            let dir = try Binary.project([:])
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let rss = Lab.scratch + "/get.rss"
            let skp = [Binary.path, "--color", "never", "--limit", Self.hosts.joined(separator: ","), "ssh.get", "-r", Self.remote,
                       "-d", "fetched"].map { "'\($0)'" }.joined(separator: " ")
            let first = try Binary.run(["-c", "cd '\(dir)' && /usr/bin/time -f 'maxrss=%M' -o '\(rss)' \(skp)"],
                                       environment: Lab.environment, executable: "/bin/sh")
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(first.stdout.contains("3 hosts: 3 changed"), "\(first.stdout)")
            for host in Self.hosts {
                let local = dir + "/fetched/\(host)/skp-get-1g.bin"
                #expect(try sha256(local) == expected[host], "\(host)'s copy differs from the host's file")
                #expect(identity(local).hasSuffix(" 644"), "\(identity(local))")
                #expect(identity(dir + "/fetched/\(host)").hasSuffix(" 700"))
                // Written beside the file and renamed: no temporary file is left.
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/fetched/\(host)") == ["skp-get-1g.bin"])
            }
            let text = try String(contentsOfFile: rss, encoding: .utf8)
            let kb = Int(text.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? .max
            #expect(kb < 100 * 1024, "peak memory \(kb) KB for 3 GiB fetched")
            print("ssh.get: 3 x 1 GiB, skp peak RSS \(kb / 1024) MB")

            // Again: each host hashes its own file, the hashes match, nothing moves or is rewritten.
            let before = Self.hosts.map { identity(dir + "/fetched/\($0)/skp-get-1g.bin") }
            let second = try Lab.skp(["--json", "--limit", Self.hosts.joined(separator: ","), "ssh.get", "-r", Self.remote, "-d", "fetched"],
                                     in: dir)
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            let steps = second.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { $0["event"] as? String == "step" }
            #expect(steps.count == 3 && steps.allSatisfy { $0["status"] as? String == "unchanged" }, "\(steps)")
            #expect(Self.hosts.map { identity(dir + "/fetched/\($0)/skp-get-1g.bin") } == before)

            // A host whose file changed is fetched again; the others stay as they are.
            try Lab.exec("c03", "head -c 16 /dev/urandom | dd of=\(quoted(Self.remote)) conv=notrunc status=none")
            let third = try Lab.skp(["--limit", Self.hosts.joined(separator: ","), "ssh.get", "-r", Self.remote, "-d", "fetched"], in: dir)
            #expect(third.status == 0 && third.stdout.contains("3 hosts: 2 ok, 1 changed"), "\(third.stdout)")
            #expect(try sha256(dir + "/fetched/c03/skp-get-1g.bin") == String(try Lab.output("c03", "sha256sum \(quoted(Self.remote))").prefix(64)))
            #expect(identity(dir + "/fetched/c02/skp-get-1g.bin") == before[0])
        }
    }
}
