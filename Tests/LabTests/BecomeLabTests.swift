import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// `sudo` steps as a user whose sudo asks for a password (issue 18, item 1): the lab's
    /// `skpuser` (lab/lab.sh), its password in the lab's state folder. c01 logs in as root, the
    /// others as skpuser, so one run shows both kinds of host.
    @Suite(.serialized) struct BecomeLabTests {
        static let passwordFile = Lab.stateDirectory + "/become-password"
        static let task = #"""
            task proof "a sudo step that writes a root-owned file with a secret of its own" {
              param token -t secret env PROOF_TOKEN "a secret the command writes"
              sudo "sleep 1; printf '%s' ${token} > /root/become-proof; chmod 600 /root/become-proof; id -un"
            }
            """#

        /// A project whose hosts.json is the lab's with c01 logged in to as root, and the task.
        static func project() throws -> String {
            let hosts = try String(contentsOfFile: Binary.root + "/hosts.json", encoding: .utf8)
                .replacingOccurrences(of: #""ipv4": "192.168.56.11","#, with: #""ipv4": "192.168.56.11", "user": "root","#)
            #expect(hosts.contains(#""user": "root""#), "the lab's hosts.json changed shape")
            return try Binary.project(["hosts.json": hosts, "tasks/b.skp": task])
        }

        /// skp as skpuser on c01–c03 with stdin from `input` (a file, never the password in a
        /// command line), under a 20 ms process-list sampler; what it printed, then the samples.
        static func run(_ mode: [String], input: String, in dir: String, token: String, sample: String) throws -> (Binary.Outcome, String) {
            let skp = ([Binary.path, "--color", "never", "--user", "skpuser", "--limit", "c01,c02,c03", "-K"] + mode + ["b.proof"])
                .map { "'\($0)'" }.joined(separator: " ")
            let script = """
                (while :; do ps -eo args; sleep 0.02; done) > \(sample) 2>&1 & snap=$!
                cd '\(dir)'; \(skp) < '\(input)'; status=$?; kill $snap; wait $snap 2>/dev/null; echo "exit $status"
                """
            let outcome = try Binary.run(["-c", script], environment: Lab.environment.merging(["PROOF_TOKEN": token]) { $1 },
                                         executable: "/bin/sh")
            return (outcome, try String(contentsOfFile: sample, encoding: .utf8))
        }

        @Test func aSudoStepWithTheRightPasswordRunsAsRootAndThePasswordShowsNowhere() throws {
            try Lab.up()
            let password = try String(contentsOfFile: Self.passwordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            #expect(password.count >= 16, "the lab made a password for skpuser")
            let dir = try Self.project()
            for mode in [[], ["--json"], ["--verbose"], ["--output", "grouped"]] {
                let token = "proof-\(UUID().uuidString.prefix(12))"
                for host in ["c01", "c02", "c03"] { try Lab.exec(host, "rm -f /root/become-proof") }
                let (outcome, processes) = try Self.run(mode, input: Self.passwordFile, in: dir, token: token,
                                                        sample: Lab.scratch + "/ps-become.txt")
                #expect(outcome.stdout.contains("exit 0"), "\(mode): \(outcome.stdout)\(outcome.stderr)")
                for host in ["c01", "c02", "c03"] {
                    #expect(try Lab.output(host, "stat -c '%U %a' /root/become-proof") == "root 600", "\(host)")
                    #expect(try Lab.output(host, "cat /root/become-proof") == token, "\(host)")
                }
                if mode.isEmpty {
                    #expect(outcome.stdout.contains("c02   | root"), "\(outcome.stdout)")
                }
                let journals = dir + "/.skp/runs"
                let journal = ((try? FileManager.default.contentsOfDirectory(atPath: journals)) ?? [])
                    .compactMap { try? String(contentsOfFile: journals + "/" + $0, encoding: .utf8) }.joined()
                #expect(processes.contains("skp_secret_"), "the sampler saw the commands")
                for seen in [outcome.stdout, outcome.stderr, journal, processes] {
                    #expect(!seen.contains(password), "\(mode): the become password showed")
                    #expect(!seen.contains(token), "\(mode): the command's secret showed")
                }
            }
        }

        /// A wrong password fails the skpuser hosts within 5 s with a plain message; c01 (root,
        /// no sudo) carries on and changes, as any failure elsewhere would let it.
        @Test func aWrongPasswordFailsThoseHostsQuicklyAndTheOthersCarryOn() throws {
            try Lab.up()
            let dir = try Self.project()
            let wrong = Lab.scratch + "/wrong-become-password"
            try "not-the-password-\(UUID().uuidString.prefix(8))\n".write(toFile: wrong, atomically: true, encoding: .utf8)
            for host in ["c01", "c02", "c03"] { try Lab.exec(host, "rm -f /root/become-proof") }
            let start = Date()
            let (outcome, _) = try Self.run(["--json"], input: wrong, in: dir, token: "t-\(UUID().uuidString.prefix(8))",
                                            sample: Lab.scratch + "/ps-become-wrong.txt")
            let elapsed = Date().timeIntervalSince(start)
            #expect(outcome.stdout.contains("exit 1"), "\(outcome.stdout)\(outcome.stderr)")
            #expect(elapsed < 5 + 1, "took \(elapsed) s (the step sleeps 1 s on c01)")
            let summary = outcome.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .first { $0["event"] as? String == "summary" }
            let hosts = (summary?["hosts"] as? [[String: Any]] ?? []).reduce(into: [String: [String: Any]]()) { $0[$1["host"] as? String ?? ""] = $1 }
            #expect(hosts["c01"]?["status"] as? String == "changed", "\(hosts["c01"] ?? [:])")
            for host in ["c02", "c03"] {
                #expect(hosts[host]?["status"] as? String == "failed", "\(host): \(hosts[host] ?? [:])")
                #expect((hosts[host]?["duration_ms"] as? Int ?? .max) < 5000, "\(host): \(hosts[host] ?? [:])")
                let tail = (hosts[host]?["stderr_tail"] as? [String] ?? []).joined(separator: "\n")
                #expect(tail.contains("sudo: wrong become password on \(host)"), "\(host): \(tail)")
                #expect(try Lab.output(host, "test -e /root/become-proof && echo yes || echo no") == "no")
            }
        }
    }
}
