import Foundation
import SkpTestSupport
import Testing

// Lab suites share the lab: they run one at a time, inside LabSuites.
extension LabSuites {
    /// Output for fleets on real hosts: `-o merged` shows identical answers once, `--output-dir`
    /// keeps each host's answers in files.
    @Suite(.serialized) struct FleetOutputTests {
        /// The blocks of a text run, the summary left out.
        func blocks(_ stdout: String) -> [String] {
            stdout.components(separatedBy: "\n\nSummary")[0].split(separator: "\n").map(String.init)
        }

        @Test func mergedShowsIdenticalAnswersOnce() throws {
            try Lab.up()
            let same = try Lab.skp(["-o", "merged", "ssh.cmd", "-c=echo same; echo warn >&2"])
            #expect(same.status == 0, "\(same.stderr)")
            #expect(blocks(same.stdout) == ["==> ssh.cmd", "[c[01-05]] changed (5 hosts)", "same", "warn"], "\(same.stdout)")
            // Different answers: one block each, in inventory order.
            let names = try Lab.skp(["-o", "merged", "ssh.cmd", "-c=hostname"])
            #expect(blocks(names.stdout).filter { $0.hasPrefix("[") } == Lab.hosts.map { "[\($0)] changed" }, "\(names.stdout)")
            // A failed host is never folded in with those that succeeded, even with the same output.
            let failing = try Lab.skp(["-o", "merged", "ssh.cmd", "-c=echo ok; [ $(hostname) != c03 ]"])
            #expect(failing.status == 1)
            let lines = blocks(failing.stdout)
            #expect(lines.contains("[c[01-02,04-05]] changed (4 hosts)"), "\(failing.stdout)")
            #expect(lines.contains("[c03] failed"), "\(failing.stdout)")
        }

        @Test func mergedWithJSONListsTheHostsOfEachGroup() throws {
            try Lab.up()
            let outcome = try Lab.skp(["--json", "-o", "merged", "ssh.cmd", "-c=echo same"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let events = try outcome.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            let merged = events.filter { $0["event"] as? String == "merged" }
            #expect(merged.count == 1)
            #expect(merged.first?["hosts"] as? [String] == Lab.hosts)
            #expect(merged.first?["folded"] as? String == "c[01-05]")
        }

        @Test func outputDirHasEachHostsFiles() throws {
            try Lab.up()
            let folder = Lab.scratch + "/fleet-output-\(UUID().uuidString.prefix(8))"
            let outcome = try Lab.skp(["--output-dir", folder, "ssh.cmd", "-c=hostname; echo e >&2"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            for host in Lab.hosts {
                let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + host).sorted()
                #expect(names.count == 2 && names.allSatisfy { $0.hasPrefix("001-ssh.cmd-") }, "\(host): \(names)")
                let base = folder + "/" + host + "/" + names[0].dropLast(4)
                #expect(try String(contentsOfFile: base + ".out", encoding: .utf8) == host + "\n")
                #expect(try String(contentsOfFile: base + ".err", encoding: .utf8) == "e\n")
                var info = stat()
                #expect(stat(base + ".out", &info) == 0 && info.st_mode & 0o777 == 0o600)
                #expect(stat(folder + "/" + host, &info) == 0 && info.st_mode & 0o777 == 0o700)
            }
        }

        /// Fifty sshd-only hosts answering the same: one block naming them all.
        @Test func fiftyHostsWithTheSameAnswerAreOneBlock() throws {
            try Lab.up()
            let dir = try FaultTests().project(size: 50)
            let outcome = try Binary.run(["--color", "never", "-o", "merged", "ssh.cmd", "-c=echo same"],
                                         in: dir, environment: Lab.environment)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(blocks(outcome.stdout) == ["==> ssh.cmd", "[h[001-050]] changed (50 hosts)", "same"], "\(outcome.stdout)")
        }
    }
}
