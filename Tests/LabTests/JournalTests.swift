import Foundation
import SkpTestSupport
import Testing

extension LabSuites {
    /// The run journal, --resume, and the live status board, on real lab hosts.
    @Suite(.serialized) struct JournalTests {
        static let task = """
            task steps "three steps; the second fails where /root/fail-step exists, and waits where /root/slow-step does" {
              on all {
                run "echo one >> /root/steps.log"
                run "test ! -e /root/fail-step && { test ! -e /root/slow-step || sleep 30; } && echo two >> /root/steps.log"
                run "echo three >> /root/steps.log"
              }
            }
            """

        func runs(_ dir: String, _ id: String? = nil) throws -> Any {
            let outcome = try Lab.skp(["runs"] + (id.map { [$0] } ?? []) + ["--json"], in: dir)
            return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
        }

        func reset() throws {
            for host in Lab.hosts { try Lab.exec(host, "rm -f /root/steps.log /root/fail-step /root/slow-step") }
        }

        @Test func resumeRunsOnlyWhatFailedOnTwoHosts() throws {
            try Lab.up()
            try reset()
            let dir = try Binary.project(["tasks/j.skp": Self.task])
            for host in ["c02", "c04"] { try Lab.exec(host, "touch /root/fail-step") }
            let first = try Lab.skp(["j.steps"], in: dir)
            #expect(first.status == 1)
            #expect(first.stderr.contains("skp --resume "), "\(first.stderr)")

            // The cause goes away; the plan of the resume names exactly the pairs that will run.
            for host in ["c02", "c04"] { try Lab.exec(host, "rm /root/fail-step") }
            let plan = try Lab.skp(["--dry-run", "--resume"], in: dir)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("4 step(s) on 2 host(s) will run"), "\(plan.stdout)")
            #expect(plan.stdout.contains("c02  step 2/3  run · failed (exit 1)"), "\(plan.stdout)")
            #expect(plan.stdout.contains("c04  step 3/3  run · never started"), "\(plan.stdout)")
            #expect(!plan.stdout.contains("c01  step"))

            let resumed = try Lab.skp(["--resume"], in: dir)
            #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
            // The hosts' own logs: the healthy hosts ran each step once; the two failed hosts ran
            // step one once and then, on resume, only steps two and three.
            for host in Lab.hosts {
                #expect(try Lab.output(host, "cat /root/steps.log") == "one\ntwo\nthree", "\(host)")
            }
            let list = try #require(try runs(dir) as? [[String: Any]])
            #expect(list.count == 2)
            #expect(list[0]["resume_of"] as? String == list[1]["id"] as? String)
            #expect(list[1]["exit_code"] as? Int == 1 && list[0]["exit_code"] as? Int == 0)
            let table = try Lab.skp(["runs", list[1]["id"] as! String], in: dir)
            #expect(table.stdout.contains("c02   j.steps  2/3   failed   1"), "\(table.stdout)")
        }

        @Test func aRunKilledMidStepLeavesAJournalThatResumeReads() throws {
            try Lab.up()
            try reset()
            let dir = try Binary.project(["tasks/j.skp": Self.task])
            try Lab.exec("c03", "touch /root/slow-step")
            let line = [Binary.path, "--color", "never", "j.steps"].map { "'\($0)'" }.joined(separator: " ")
            // SIGKILL once c03 is inside its slow step 2: no chance to write anything more.
            let script = """
                cd '\(dir)'; \(line) >/dev/null 2>&1 & pid=$!
                for i in $(seq 100); do grep -q '"host":"c03","step":2' .skp/runs/*.jsonl 2>/dev/null && break; sleep 0.1; done
                sleep 0.5; kill -KILL $pid; wait $pid; echo "status=$?"
                """
            let killed = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
            #expect(killed.stdout.contains("status=137"), "\(killed.stdout)")
            let list = try #require(try runs(dir) as? [[String: Any]])
            let run = try #require(list.first)
            #expect(run["finished"] as? Bool == false)
            let steps = run["steps"] as? [[String: Any]] ?? []
            let c03 = steps.filter { $0["host"] as? String == "c03" }.map { "\($0["step"]!):\($0["status"]!)" }
            #expect(c03 == ["1:changed", "2:started"], "\(c03)")
            let done = steps.filter { $0["status"] as? String == "changed" }.count
            #expect(done == 13, "every other host finished its three steps: \(done)")

            try Lab.exec("c03", "rm /root/slow-step")
            let resumed = try Lab.skp(["--resume"], in: dir)
            #expect(resumed.status == 0, "\(resumed.stdout)")
            #expect(resumed.stdout.contains("1 host: 1 changed"), "\(resumed.stdout)")
            for host in Lab.hosts {
                #expect(try Lab.output(host, "cat /root/steps.log") == "one\ntwo\nthree", "\(host)")
            }
        }

        @Test func theStatusBoardShowsTheSlowHostRunningAndTheOthersDone() throws {
            try Lab.up()
            let inventory = try Lab.generated(20)
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
                Issue.record("tmux is not installed"); return
            }
            let session = "skp-board-\(getpid())"
            let command = [Binary.path, "--inventory", inventory, "ssh.cmd",
                           "-c=test $(hostname) = h007 && echo web: 3/5 running && sleep 8; echo done"].map { "'\($0)'" }.joined(separator: " ")
            let environment = Lab.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
            let start = try Binary.run(["new-session", "-d", "-s", session, "-x", "120", "-y", "50",
                                        "cd '\(Binary.root)' && env TERM=xterm \(environment) \(command); sleep 30"],
                                       executable: "/usr/bin/tmux")
            #expect(start.status == 0, "\(start.stderr)")
            defer { _ = try? Binary.run(["kill-session", "-t", session], executable: "/usr/bin/tmux") }
            var screen = ""
            for _ in 0..<60 {
                usleep(200_000)
                screen = try Binary.run(["capture-pane", "-p", "-t", session], executable: "/usr/bin/tmux").stdout
                let lines = screen.split(separator: "\n")
                let done = lines.filter { $0.range(of: #"^  h0\d\d\s+changed"#, options: .regularExpression) != nil }.count
                // The board redraws as output arrives: wait for h007's line to carry its last output.
                if done == 19, lines.contains(where: { $0.contains("h007") && $0.contains("running step 1/1") && $0.hasSuffix("web: 3/5 running") }) {
                    break
                }
            }
            let lines = screen.split(separator: "\n")
            // The running host's line ends with the last line its step printed.
            #expect(lines.contains { $0.range(of: #"^  h007\s+running step 1/1\s+\d+\.\ds  web: 3/5 running$"#, options: .regularExpression) != nil },
                     "no running line for h007 with its last output in:\n\(screen)")
            for n in (1...20) where n != 7 {
                let name = String(format: "h%03d", n)
                #expect(lines.contains { $0.range(of: "^  \(name)\\s+changed", options: .regularExpression) != nil },
                        "\(name) not shown done in:\n\(screen)")
            }
        }
    }
}
