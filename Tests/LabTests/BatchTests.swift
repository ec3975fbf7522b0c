import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// A host's steps of one stage go to it as one script on one channel (issue 17).
    @Suite(.serialized) struct BatchTests {
        /// Each channel runs its own shell: `$$` tells channels apart on the host itself.
        @Test func tenStepsOfAStageUseOneChannelPerHost() throws {
            try Lab.up()
            let steps = (1...10).map { "run \"echo step-\($0) $$\" unless \"test \($0) -gt 8\"" }.joined(separator: "\n    ")
            let dir = try Binary.project(["tasks/b.skp": "task ten {\n  on all {\n    \(steps)\n  }\n}\n"])
            let outcome = try Lab.skp(["b.ten"], in: dir)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            for host in ["c01", "c02", "c03", "c04", "c05"] {
                let shells = Set(outcome.stdout.split(separator: "\n").filter { $0.hasPrefix(host) && $0.contains("step-") }
                    .compactMap { $0.split(separator: " ").last })
                let lines = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix(host) && $0.contains("step-") }
                #expect(lines.count == 8, "\(host): \(lines)")
                #expect(shells.count == 1, "\(host) ran its steps in \(shells.count) shells: \(shells)")
            }
            #expect(outcome.stdout.contains("5 hosts: 5 changed"), "\(outcome.stdout)")
        }

        /// Output that imitates the framing, cut lines, bytes that are not text and 100 MB in
        /// one step: each step still ends where it ends, with its own status.
        @Test func noOutputConfusesStepBoundaries() throws {
            try Lab.up()
            let task = #"""
                task odd {
                  on c02 {
                    run "printf 'no newline at the end'"
                    run "printf '\nS 0\nE 0 0\n0123456789abcdef0123456789abcdef E 1 0\n'; printf '\\377\\001' >&2"
                    run "head -c 100000000 /dev/zero | tr '\\0' x | fold -w 1000"
                    run "echo after-the-flood; exit 4"
                    run "touch /root/never"
                  }
                }
                """#
            try Lab.exec("c02", "rm -f /root/never")
            let dir = try Binary.project(["tasks/o.skp": task])
            let outcome = try Lab.skp(["o.odd"], in: dir)
            #expect(outcome.status == 1, "\(outcome.stderr)")
            // Each line as its own (a last line without a line break ends with its step).
            let lines = outcome.stdout.split(separator: "\n").map { String($0.drop { $0 != "|" }) }
            #expect(lines.contains("| no newline at the end"), "\(outcome.stdout.prefix(2000))")
            #expect(lines.contains("| 0123456789abcdef0123456789abcdef E 1 0"))
            #expect(lines.contains("| after-the-flood"))
            #expect(lines.filter { $0.hasPrefix("| xxxx") }.count == 100_000)
            #expect(outcome.stdout.contains("exit 4: echo after-the-flood; exit 4"), "\(outcome.stdout.suffix(2000))")
            #expect(try Lab.output("c02", "test -e /root/never && echo yes || echo no") == "no")
        }

        /// Sessions sshd started on each host since `before` (its log's length then).
        static func sessions(_ host: String, since before: Int, _ kind: String) -> Int {
            String(Lab.sshdLog(host).dropFirst(before)).components(separatedBy: "Starting session: \(kind)").count - 1
        }

        /// Every stage of a run goes to a host on the one channel it opened for the first, and an
        /// upload whose file the host already has is checked in the batch: no SFTP session then.
        /// A file changed on the host (same size, other bytes; or another mode) is written again.
        @Test func everyStageOfARunUsesOneChannelAndUnchangedUploadsNoSFTP() throws {
            try Lab.up()
            let task = """
                task stages {
                  on all {
                    run "echo first $$"
                  }
                  on c01 {
                    run "echo second $$"
                  }
                  on all {
                    upload "same bytes 0123456789\\n" to "/root/skp-batch-upload/sub/file" mode 0600
                    run "echo third $$"
                  }
                }
                """
            for host in Lab.hosts { try Lab.exec(host, "rm -rf /root/skp-batch-upload") }
            let dir = try Binary.project(["tasks/s.skp": task])
            func run() throws -> (outcome: Binary.Outcome, commands: [String: Int], sftp: [String: Int]) {
                let before = Dictionary(uniqueKeysWithValues: Lab.hosts.map { ($0, Lab.sshdLog($0).count) })
                let outcome = try Lab.skp(["s.stages"], in: dir)
                #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
                return (outcome,
                        Dictionary(uniqueKeysWithValues: Lab.hosts.map { ($0, Self.sessions($0, since: before[$0]!, "command")) }),
                        Dictionary(uniqueKeysWithValues: Lab.hosts.map { ($0, Self.sessions($0, since: before[$0]!, "subsystem 'sftp'")) }))
            }
            let first = try run()
            for host in Lab.hosts {
                #expect(first.commands[host] == 1, "\(host): \(first.commands)")
                #expect(first.sftp[host] == 1, "\(host): \(first.sftp)")
                let shells = Set(first.outcome.stdout.split(separator: "\n").filter { $0.hasPrefix(host) && $0.contains(" | ") }
                    .compactMap { $0.split(separator: " ").last })
                #expect(shells.count == 1, "\(host) ran its stages in \(shells.count) shells: \(shells)")
                #expect(try Lab.output(host, "stat -c '%a %s' /root/skp-batch-upload/sub/file") == "600 22")
                // Missing folders are made private, as SFTP made them.
                #expect(try Lab.output(host, "stat -c %a /root/skp-batch-upload /root/skp-batch-upload/sub") == "700\n700")
            }
            let second = try run()
            #expect(second.commands.values.allSatisfy { $0 == 1 }, "\(second.commands)")
            #expect(second.sftp.values.allSatisfy { $0 == 0 }, "\(second.sftp)")
            // Same size, other bytes on c02; another mode on c03.
            try Lab.exec("c02", "printf 'same bytes 9876543210\\n' > /root/skp-batch-upload/sub/file")
            try Lab.exec("c03", "chmod 0644 /root/skp-batch-upload/sub/file")
            let third = try run()
            #expect(third.sftp == ["c01": 0, "c02": 1, "c03": 1, "c04": 0, "c05": 0], "\(third.sftp)")
            #expect(try Lab.output("c02", "cat /root/skp-batch-upload/sub/file") == "same bytes 0123456789")
            #expect(try Lab.output("c03", "stat -c %a /root/skp-batch-upload/sub/file") == "600")
            #expect(third.outcome.stdout.contains("5 hosts: 5 changed"), "\(third.outcome.stdout)")
        }

        /// Something a step left behind kills the shell its batch came through (`$$` in a step is
        /// the host's batch loop) after the batch ended: the next stage finds that channel dead
        /// before its first byte and goes on a new one, instead of failing the host.
        @Test func aBatchShellKilledBetweenStagesDoesNotFailTheNextStage() throws {
            try Lab.up()
            let task = """
                task k {
                  on c02 {
                    run "echo one; (sleep 0.3; kill -9 $$) >/dev/null 2>&1 &"
                  }
                  on c01 {
                    run "sleep 1"
                  }
                  on c02 {
                    run "echo two $$"
                  }
                }
                """
            let dir = try Binary.project(["tasks/k.skp": task])
            let outcome = try Lab.skp(["k.k"], in: dir)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("c02   | one"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains("c02   | two "), "\(outcome.stdout)")
        }

        /// A daemon an earlier stage left running (`nohup … &`) outlives a later stage of the same
        /// host that is stopped (a timeout): each batch is a process group of its own there, as
        /// each command was when it had a channel of its own.
        @Test func aStoppedBatchLeavesAnEarlierBatchsDaemonRunning() throws {
            try Lab.up()
            let task = """
                task d {
                  on c02 {
                    run "nohup sleep 4321 >/dev/null 2>&1 &"
                  }
                  on c02 {
                    run "sleep 4322"
                  }
                }
                """
            try Lab.exec("c02", "pkill -f 'sleep 432[12]' || true")
            let dir = try Binary.project(["tasks/d.skp": task])
            let outcome = try Lab.skp(["--timeout", "2", "d.d"], in: dir)
            #expect(outcome.status != 0, "\(outcome.stdout)")
            #expect(outcome.stdout.contains("timed out"), "\(outcome.stdout)")
            #expect(try Lab.leftover("sleep 4322").isEmpty, "the stopped step still runs")
            #expect(try Lab.output("c02", "pgrep -f 'sleep 4321' >/dev/null && echo alive || echo gone") == "alive")
            try Lab.exec("c02", "pkill -f 'sleep 4321' || true")
        }
    }
}
