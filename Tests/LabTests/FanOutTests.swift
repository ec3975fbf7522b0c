import Foundation
import SkpTestSupport
import Testing

// Lab suites share the lab: they run one at a time, inside LabSuites.
extension LabSuites {
    /// skp against real hosts: each lab host is its own network namespace with sshd and dockerd.
    @Suite(.serialized) struct FanOutTests {
        @Test func eachHostAnswersWithItsOwnName() throws {
            try Lab.up()
            let outcome = try Lab.skp(["ssh.cmd", "-c=hostname"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            for host in Lab.hosts {
                #expect(outcome.stdout.contains("\n\(host)   | \(host)\n") || outcome.stdout.contains("\(host)   | \(host)\n"),
                        "no line '\(host) | \(host)' in:\n\(outcome.stdout)")
            }
            #expect(outcome.stdout.contains("5 hosts: 5 changed"))
        }

        @Test func aFailingCommandIsReportedWithItsExitCode() throws {
            try Lab.up()
            let outcome = try Lab.skp(["ssh.cmd", "-c=echo about to fail >&2; exit 3", "--limit", "c02"])
            #expect(outcome.status == 1)
            let row = try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("  c02") })
            #expect(row.contains("failed") && row.contains(" 3 "), "\(row)")
            #expect(outcome.stdout.contains("stderr: about to fail"))
            // Narrowed to c02: no other host ran anything.
            #expect(!outcome.stdout.contains("  c01 "))
        }

        @Test func aTaskOpensOneConnectionPerHostForAllItsCommands() throws {
            try Lab.up()
            let before = Lab.hosts.map(Lab.logins)
            let outcome = try Lab.skp(["ssh.cmd", "-c=true", "ssh.cmd", "-c=echo 2", "ssh.cmd", "-c=echo 3",
                                   "ssh.cmd", "-c=echo 4", "ssh.cmd", "-c=echo 5"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let after = Lab.hosts.map(Lab.logins)
            #expect(zip(before, after).map { $1 - $0 } == [1, 1, 1, 1, 1], "logins per host: \(before) -> \(after)")
        }

        @Test func aHostWithAChangedKeyIsRefusedAndReceivesNothing() throws {
            try Lab.up()
            // Record a different key for c05, as if it had been replaced by an impostor.
            let knownHosts = NSTemporaryDirectory() + "skp-changed-key-" + UUID().uuidString
            let original = try String(contentsOfFile: Lab.knownHosts, encoding: .utf8)
            let forged = original.split(separator: "\n").map { line -> String in
                guard line.hasPrefix("192.168.56.15 ") else { return String(line) }
                return "192.168.56.15 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB9bXJ0Yz0w6b3JnZWQga2V5IGZvciBza3AgdGVzdHM"
            }.joined(separator: "\n") + "\n"
            try forged.write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let marker = "/root/changed-key-\(UUID().uuidString.prefix(8))"
            let before = Lab.logins("c05")
            let outcome = try Binary.run(["--color", "never", "ssh.cmd", "-c=touch \(marker)"],
                                         environment: ["SKP_KNOWN_HOSTS": knownHosts])
            #expect(outcome.status == 3, "exit \(outcome.status)")
            #expect(outcome.stdout.contains("HOST KEY CHANGED for c05"))
            #expect(outcome.stdout.contains("unreachable"))
            // The others ran; c05 never authenticated and has no marker.
            #expect(Lab.logins("c05") == before)
            #expect(try Lab.exec("c05", "test -e \(quoted(marker))").status != 0)
            #expect(try Lab.exec("c04", "test -e \(quoted(marker))").status == 0)
            // The forged entry is still there: skp does not "fix" a changed key by itself.
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).contains("b3JnZWQga2V5"))
        }

        @Test func strictModeRefusesUnknownHostsAndAcceptNewRecordsThem() throws {
            try Lab.up()
            let empty = NSTemporaryDirectory() + "skp-empty-known-" + UUID().uuidString
            let strict = try Binary.run(["--color", "never", "--host-key-checking", "strict", "ssh.cmd", "-c=true", "--limit", "c01"],
                                        environment: ["SKP_KNOWN_HOSTS": empty])
            #expect(strict.status == 3)
            #expect(strict.stdout.contains("is not in \(empty)"))
            let accept = try Binary.run(["--color", "never", "ssh.cmd", "-c=true", "--limit", "c01,c02"],
                                        environment: ["SKP_KNOWN_HOSTS": empty])
            #expect(accept.status == 0)
            let recorded = try String(contentsOfFile: empty, encoding: .utf8)
            #expect(recorded.contains("192.168.56.11 ssh-ed25519 ") && recorded.contains("192.168.56.12 ssh-ed25519 "))
        }

        @Test func aHostWithNothingListeningIsReportedWhileTheOthersFinish() throws {
            try Lab.up()
            let dir = try Binary.project(["hosts.json": """
            {
              "c01": {"ipv4": "192.168.56.11", "roles": ["master"]},
              "c02": {"ipv4": "192.168.56.12"},
              "closed": {"ipv4": "192.168.56.11", "port": 2999},
              "ghost": {"ipv4": "192.168.56.99"}
            }
            """, "volumes.json": "{}"])
            let (outcome, seconds) = try Binary.timed(["--color", "never", "--connect-timeout", "2", "ssh.cmd", "-c=hostname"],
                                                      in: dir, environment: Lab.environment)
            #expect(outcome.status == 3)
            #expect(seconds < 6, "took \(seconds) s")
            let rows = outcome.stdout.split(separator: "\n")
            #expect(rows.contains { $0.hasPrefix("  c01 ") && $0.contains("changed") })
            #expect(rows.contains { $0.hasPrefix("  c02 ") && $0.contains("changed") })
            #expect(rows.contains { $0.hasPrefix("  closed ") && $0.contains("unreachable") && $0.contains("refused") })
            #expect(rows.contains { $0.hasPrefix("  ghost ") && $0.contains("unreachable") })
        }

        @Test func aCommandTimeoutEndsTheRunInTime() throws {
            try Lab.up()
            let (outcome, seconds) = try Binary.timed(["--color", "never", "--timeout", "2", "ssh.cmd", "-c=sleep 600"],
                                                      environment: Lab.environment)
            #expect(outcome.status == 1)
            #expect(seconds >= 2 && seconds < 5, "took \(seconds) s")
            let rows = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("  c0") }
            #expect(rows.count == 5 && rows.allSatisfy { $0.contains("timed out") }, "\(rows)")
        }

        @Test func jsonOutputIsOneObjectPerLine() throws {
            try Lab.up()
            let outcome = try Lab.skp(["--json", "ssh.cmd", "-c=echo hi; echo oops >&2", "--limit", "c01,c03"])
            #expect(outcome.status == 0)
            let events = try outcome.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(events.contains { $0["event"] as? String == "output" && $0["host"] as? String == "c03" && $0["line"] as? String == "hi" })
            #expect(events.contains { $0["stream"] as? String == "stderr" && $0["line"] as? String == "oops" })
            let summary = try #require(events.last)
            #expect(summary["event"] as? String == "summary" && summary["exit_code"] as? Int == 0)
            #expect((summary["hosts"] as? [[String: Any]])?.count == 2)
        }

        @Test func groupedOutputPrintsEachHostAsOneBlock() throws {
            try Lab.up()
            let outcome = try Lab.skp(["--output", "grouped", "ssh.cmd", "-c=echo one; sleep 0.1; echo two", "--limit", "c01,c02"])
            #expect(outcome.status == 0)
            #expect(outcome.stdout.contains("[c01] changed\none\ntwo\n"))
            #expect(outcome.stdout.contains("[c02] changed\none\ntwo\n"))
        }

        @Test func invalidUTF8IsShownNotFatal() throws {
            try Lab.up()
            let outcome = try Lab.skp(["ssh.cmd", "-c=printf 'bad \\377\\376 bytes\\n'", "--limit", "c01"])
            #expect(outcome.status == 0)
            #expect(outcome.stdout.contains("bad \u{FFFD}\u{FFFD} bytes"))
        }

        @Test func uploadsArriveWithTheirModeAndSecretsStayMasked() throws {
            try Lab.up()
            let dir = try Binary.project(["tasks/t.skp": """
            task put {
              param token secret
              upload "token=${token}\\n" to ".skp/t/secret.conf" mode 0600
              run "stat -c %a .skp/t/secret.conf; stat -c %a .skp/t; cat .skp/t/secret.conf"
            }
            """])
            let outcome = try Binary.run(["--color", "never", "t.put", "--token", "s3cr3t-value", "--limit", "c02"], in: dir,
                                         environment: Lab.environment)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("c02   | 600\nc02   | 700\nc02   | token=***"), "\(outcome.stdout)")
            #expect(!outcome.stdout.contains("s3cr3t-value"))
            #expect(try Lab.exec("c02", "cat /root/.skp/t/secret.conf").stdout == "token=s3cr3t-value\n")
        }

        @Test func capturedValuesTravelBetweenHosts() throws {
            try Lab.up()
            let dir = try Binary.project(["tasks/t.skp": """
            task relay {
              on c01 { capture word = run "echo relay-$(hostname)" }
              on c03 { run "echo got ${word}" }
            }
            """])
            let outcome = try Binary.run(["--color", "never", "t.relay"], in: dir, environment: Lab.environment)
            #expect(outcome.status == 0)
            // Captured values are masked like secrets in output.
            #expect(outcome.stdout.contains("c03   | got ***"), "\(outcome.stdout)")
        }
    }

    /// Ctrl-C and bastions: the parts of a run that involve more than one process.
    @Suite(.serialized) struct InterruptAndJumpTests {
        @Test func ctrlCClosesChannelsPrintsTheSummaryAndExits130() throws {
            try Lab.up()
            let skp = [Binary.path, "--color", "never", "ssh.cmd", "-c=sleep 30"].map { "'\($0)'" }.joined(separator: " ")
            let script = "cd '\(Binary.root)'; \(skp) > \(Lab.scratch)/interrupt.out 2>&1 & pid=$!; sleep 1.5; kill -INT $pid; wait $pid"
            let start = Date()
            let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
            let seconds = Date().timeIntervalSince(start)
            #expect(outcome.status == 130)
            #expect(seconds < 4, "took \(seconds) s")
            let printed = try String(contentsOfFile: "\(Lab.scratch)/interrupt.out", encoding: .utf8)
            #expect(printed.contains("Summary") && printed.contains("interrupted"), "\(printed)")
            #expect(printed.contains("cancelled"))
        }

        @Test func aJumpHostCarriesTheConnection() throws {
            try Lab.up()
            let dir = try Binary.project(["hosts.json": """
            {"c01": {"ipv4": "192.168.56.11"}, "c03": {"ipv4": "192.168.56.13", "jump": "root@192.168.56.11"}}
            """, "volumes.json": "{}"])
            let before = Lab.sshdLog("c03").components(separatedBy: "Connection from 192.168.56.11 ").count
            let outcome = try Binary.run(["--color", "never", "ssh.cmd", "-c=hostname", "--limit", "c03"], in: dir,
                                         environment: Lab.environment)
            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            #expect(outcome.stdout.contains("c03   | c03"))
            // c03 saw the connection come from c01, the bastion.
            #expect(Lab.sshdLog("c03").components(separatedBy: "Connection from 192.168.56.11 ").count == before + 1)
        }
    }
}
