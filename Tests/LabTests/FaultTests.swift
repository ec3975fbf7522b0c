import Foundation
import SkpTestSupport
import Testing

extension Lab {
    /// An sshd-only lab of `size` generated hosts (h001…, 192.168.57.x), brought up once.
    static func generated(_ size: Int) throws -> String {
        let inventory = Binary.root + "/.skp/lab-\(size)"
        let outcome = try Binary.run(["lab.up", "--size", String(size)], environment: environment)
        guard outcome.status == 0 else { throw LabUnavailable(reason: "lab.up --size \(size): \(outcome.stdout)\(outcome.stderr)") }
        return inventory
    }

    static func address(_ host: String) -> String {
        (try? String(contentsOfFile: "\(stateDirectory)/\(host)/address", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Brings a host back as lab.up left it: sshd running, no firewall rule.
    static func restore(_ host: String) throws {
        _ = try? exec(host, "iptables -F INPUT")
        let outcome = try Binary.run(["host-up", host, address(host), "sshd-only"], executable: Binary.root + "/lab/lab.sh")
        guard outcome.status == 0 else { throw LabUnavailable(reason: "restoring \(host): \(outcome.stderr)") }
    }
}

extension LabSuites {
    /// Faults injected into real lab hosts: each test asserts what skp reports for every host,
    /// that nothing hangs past its timeouts, and that no secret reaches any output.
    @Suite(.serialized) struct FaultTests {
        static let secret = "fault-secret-\(UUID().uuidString.prefix(12))"
        static let task = """
            task probe "fault probe" {
              param token -t secret env FAULT_TOKEN "a secret the run must never print"
              run "test -n ${token}; case $(hostname) in h007|h017) sleep 600;; h009|h019) echo failing >&2; exit 3;; esac; echo fine"
            }
            """

        /// A scratch project on the generated lab, with `edit` applied to its hosts.json.
        func project(size: Int, edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
            let inventory = try Lab.generated(size)
            let data = try Data(contentsOf: URL(fileURLWithPath: inventory + "/hosts.json"))
            var hosts = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            edit(&hosts)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: hosts, options: [.sortedKeys]), as: UTF8.self)
            return try Binary.project(["hosts.json": text, "volumes.json": "{}", "networks.json": "{}", "tasks/fault.skp": Self.task])
        }

        func summary(_ stdout: String) throws -> [String: [String: Any]] {
            let line = try #require(stdout.split(separator: "\n").last { $0.contains("\"event\":\"summary\"") })
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            var out: [String: [String: Any]] = [:]
            for host in object["hosts"] as! [[String: Any]] { out[host["host"] as! String] = host }
            return out
        }

        /// No secret in what skp printed or recorded.
        func expectNoSecret(_ outcome: Binary.Outcome, project: String) {
            #expect(!outcome.stdout.contains(Self.secret) && !outcome.stderr.contains(Self.secret), "the secret was printed")
            let runs = project + "/.skp/runs"
            for file in (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? [] {
                let text = (try? String(contentsOfFile: runs + "/" + file, encoding: .utf8)) ?? ""
                #expect(!text.contains(Self.secret), "the secret is in the journal \(file)")
            }
        }

        @Test func aFifthOfFiftyHostsFaultyEveryOneReportedWithItsReason() throws {
            try Lab.up()
            let refused = ["h003", "h013"], dropping = ["h005", "h015"], hanging = ["h007", "h017"]
            let failing = ["h009", "h019"], badUser = "h011", forgedKey = "h021"
            let dir = try project(size: 50) { hosts in
                var entry = hosts[badUser] as! [String: Any]
                entry["user"] = "nosuchuser"
                hosts[badUser] = entry
            }
            // known_hosts: the real keys, except a forged one for h021.
            let known = dir + "/known_hosts"
            let addresses = (1...50).map { Lab.address(String(format: "h%03d", $0)) }
            let scan = try Binary.run(["-t", "ed25519", "-T", "5"] + addresses, executable: "/usr/bin/ssh-keyscan")
            let forged = scan.stdout.split(separator: "\n").map { line -> String in
                line.hasPrefix(Lab.address(forgedKey) + " ")
                    ? Lab.address(forgedKey) + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB9bXJ0Yz0w6b3JnZWQga2V5IGZvciBza3AgdGVzdHM" : String(line)
            }
            try (forged.joined(separator: "\n") + "\n").write(toFile: known, atomically: true, encoding: .utf8)
            #expect(forged.count >= 50, "ssh-keyscan found \(forged.count) keys")

            for host in refused { try Lab.exec(host, "kill $(cat \(quoted("/tmp/skp-lab/\(host)/sshd.pid")))") }
            for host in dropping { try Lab.exec(host, "iptables -A INPUT -p tcp --dport 22 -j DROP") }
            defer { for host in refused + dropping { try? Lab.restore(host) } }

            let start = Date()
            let outcome = try Binary.run(["--color", "never", "--json", "--connect-timeout", "3", "--timeout", "4", "fault.probe"],
                                         in: dir, environment: ["SKP_KNOWN_HOSTS": known, "FAULT_TOKEN": Self.secret])
            let seconds = Date().timeIntervalSince(start)
            let hosts = try summary(outcome.stdout)
            #expect(outcome.status == 1, "exit \(outcome.status): a failed step outranks unreachable hosts")
            #expect(hosts.count == 50)
            let faulty = Set(refused + dropping + hanging + failing + [badUser, forgedKey])
            for (name, host) in hosts where !faulty.contains(name) {
                #expect(host["status"] as? String == "changed", "\(name): \(host)")
            }
            func check(_ names: [String], _ status: String, _ reason: String) {
                for name in names {
                    let host = hosts[name] ?? [:]
                    #expect(host["status"] as? String == status, "\(name): \(host)")
                    #expect((host["message"] as? String ?? "").contains(reason), "\(name): \(host)")
                }
            }
            check(refused, "unreachable", "refused")
            check(dropping, "unreachable", "timed out")
            check(hanging, "timed out", "timed out after 4 s")
            check(failing, "failed", "exit 3")
            check([badUser], "unreachable", "refused every credential")
            check([forgedKey], "unreachable", "HOST KEY CHANGED")
            // Connect timeout 3 s (with retries) and command timeout 4 s bound the whole run.
            #expect(seconds < 20, "took \(seconds) s")
            // The hanging commands were stopped on their hosts when skp gave up on them.
            let left = try Lab.leftover("sleep 600")
            #expect(left.isEmpty, "still running after the timeout: \(left)")
            expectNoSecret(outcome, project: dir)
            print("faults: 10 of 50 hosts faulty; run took \(String(format: "%.1f", seconds)) s")
        }

        @Test func sshdKilledMidCommandIsReportedNotHung() throws {
            try Lab.up()
            let dir = try project(size: 50)
            defer { try? Lab.restore("h023") }
            // Kill every sshd of h023 (listener and the session) one second into a 20 s command.
            let script = "sleep 1; ip netns pids $(ip netns identify $(cat /tmp/skp-lab/h023/sshd.pid)) | xargs -r ps -o pid=,comm= -p | awk '$2 ~ /sshd/ {print $1}' | xargs -r kill -9"
            let killer = try Binary.run(["-c", "(\(script)) >/dev/null 2>&1 &"], executable: "/bin/sh")
            #expect(killer.status == 0)
            let start = Date()
            let outcome = try Binary.run(["--color", "never", "--json", "--timeout", "30", "--limit", "h023,h024", "ssh.cmd", "-c=sleep 20; echo late"],
                                         in: dir, environment: Lab.environment)
            let seconds = Date().timeIntervalSince(start)
            let hosts = try summary(outcome.stdout)
            #expect(seconds < 25, "took \(seconds) s")
            #expect(["failed", "unreachable"].contains(hosts["h023"]?["status"] as? String ?? ""), "\(hosts["h023"] ?? [:])")
            if hosts["h023"]?["status"] as? String == "failed" {
                #expect((hosts["h023"]?["message"] as? String ?? "").contains("lost the connection while the command ran"))
            }
            #expect(hosts["h024"]?["status"] as? String == "changed")
            #expect(!outcome.stdout.contains("h023 | late"))
            #expect(outcome.status == 1 || outcome.status == 3)
        }

        @Test func stoppedDockerdFailsTheStepWithDockersOwnMessage() throws {
            try Lab.up()
            try Lab.exec("c05", "kill $(cat /tmp/skp-lab/c05/dockerd.pid); sleep 2")
            defer { _ = try? Binary.run(["host-up", "c05", "192.168.56.15"], executable: Binary.root + "/lab/lab.sh") }
            let outcome = try Binary.run(["--color", "never", "--json", "--limit", "c04,c05", "ssh.cmd", "-c=docker info --format '{{.ServerVersion}}'"],
                                         environment: Lab.environment)
            let hosts = try summary(outcome.stdout)
            #expect(outcome.status == 1)
            #expect(hosts["c05"]?["status"] as? String == "failed")
            let tail = (hosts["c05"]?["stderr_tail"] as? [String] ?? []).joined(separator: "\n")
            #expect(tail.contains("docker daemon") || tail.contains("docker.sock"), "\(tail)")
            #expect(hosts["c04"]?["status"] as? String == "changed")
        }

        @Test func aFloodOfOutputIsStreamedInBoundedMemory() throws {
            try Lab.up()
            // 300 MB in 300,000 lines of 1,000 bytes, plus one 5 MB line that is cut.
            let command = "head -c 300000000 /dev/zero | tr '\\\\0' x | fold -w 1000; head -c 5000000 /dev/zero | tr '\\\\0' y; echo"
            let skp = [Binary.path, "--color", "never", "--limit", "c01", "ssh.cmd", "-c=\(command)"].map { "'\($0)'" }.joined(separator: " ")
            let script = "cd '\(Binary.root)'; /usr/bin/time -f 'maxrss=%M' -o \(Lab.scratch)/flood.rss \(skp) | awk '{ n++; if (length($0) > max) max = length($0) } /line cut/ { cut++ } END { print n, max, cut }'"
            let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
            let numbers = outcome.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(numbers.count == 3, "\(outcome.stdout) \(outcome.stderr)")
            guard numbers.count == 3 else { return }
            #expect(numbers[0] > 300_000, "lines: \(numbers[0])")
            #expect(numbers[1] < 70 * 1024, "longest line \(numbers[1])")
            #expect(numbers[2] >= 70, "the 5 MB line is cut into 64 KiB pieces, each with a note")
            let rss = try String(contentsOfFile: "\(Lab.scratch)/flood.rss", encoding: .utf8)
            let kb = Int(rss.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? .max
            #expect(kb < 100 * 1024, "peak memory \(kb) KB")
            print("flood: 305 MB of output, skp peak RSS \(kb / 1024) MB")
        }

        @Test func aCaptureLargerThanOneMebibyteIsRefused() throws {
            try Lab.up()
            let dir = try Binary.project(["tasks/big.skp": """
                task capture "capture a flood" {
                  on c01 { capture blob = run "head -c 50000000 /dev/zero | tr '\\\\0' z" }
                }
                """])
            let outcome = try Binary.run(["--color", "never", "big.capture"], in: dir, environment: Lab.environment)
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("captured output is over 1 MiB"), "\(outcome.stdout)")
        }

        @Test func ctrlCEndsTheRunWithEveryHostAccountedFor() throws {
            try Lab.up()
            let marker = "sleep 4321"
            let skp = [Binary.path, "--color", "never", "ssh.cmd", "-c=\(marker); echo after"].map { "'\($0)'" }.joined(separator: " ")
            let script = "cd '\(Binary.root)'; \(skp) > \(Lab.scratch)/interrupt2.out 2>&1 & pid=$!; sleep 2; kill -INT $pid; wait $pid"
            let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
            #expect(outcome.status == 130)
            let printed = try String(contentsOfFile: "\(Lab.scratch)/interrupt2.out", encoding: .utf8)
            #expect(printed.contains("Summary") && printed.contains("cancelled"), "\(printed)")
            for host in Lab.hosts {
                #expect(printed.split(separator: "\n").contains { $0.hasPrefix("  \(host) ") && $0.contains("cancelled") },
                        "\(host) in:\n\(printed)")
            }
            // Every remote command was stopped with the run, not left behind on its host.
            let left = try Lab.leftover(marker)
            #expect(left.isEmpty, "still running after Ctrl-C: \(left)")
            if !left.isEmpty { _ = try? Binary.run(["-f", marker], executable: "/usr/bin/pkill") }
        }

        @Test func ctrlCWhileAHostIsStillConnectingEndsTheRunAtOnce() throws {
            try Lab.up()
            // c05 drops packets, so it is still connecting when Ctrl-C comes; the others are running.
            try Lab.exec("c05", "iptables -A INPUT -p tcp --dport 22 -j DROP")
            defer { _ = try? Lab.exec("c05", "iptables -F INPUT") }
            let marker = "sleep 4325"
            let skp = [Binary.path, "--color", "never", "--connect-timeout", "30", "ssh.cmd", "-c=\(marker)"].map { "'\($0)'" }.joined(separator: " ")
            let script = "cd '\(Binary.root)'; \(skp) > \(Lab.scratch)/interrupt3.out 2>&1 & pid=$!; sleep 1; kill -INT $pid; wait $pid"
            let start = Date()
            let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
            let seconds = Date().timeIntervalSince(start)
            #expect(outcome.status == 130)
            #expect(seconds < 4, "Ctrl-C took \(seconds - 1) s to end the run")
            let printed = try String(contentsOfFile: "\(Lab.scratch)/interrupt3.out", encoding: .utf8)
            for host in Lab.hosts {
                #expect(printed.split(separator: "\n").contains { $0.hasPrefix("  \(host) ") && $0.contains("cancelled") },
                        "\(host) in:\n\(printed)")
            }
            let left = try Lab.leftover(marker)
            #expect(left.isEmpty, "still running after Ctrl-C: \(left)")
        }

        @Test func commandsThatCloseTheirOutputBeforeExitingAreNotStopped() throws {
            try Lab.up()
            // coreutils close stdout in an exit handler: sshd reports end of output while the
            // process still runs. skp must wait for the exit status before closing the channel, or
            // the hang-up guard takes the close for skp leaving early (seen: "killed by SIGTERM").
            let tasks = (1...40).flatMap { i in ["ssh.cmd", "-c=: \(i); cat /etc/hostname"] }  // distinct, so each one runs
            let outcome = try Binary.run(["--color", "never"] + tasks, environment: Lab.environment)
            #expect(outcome.status == 0, "\(outcome.stdout.split(separator: "\n").filter { $0.contains("✗") }.prefix(5))")
            #expect(!outcome.stdout.contains("SIGTERM"))
            #expect(outcome.stdout.contains("5 hosts: 5 changed"), "\(outcome.stdout.suffix(300))")
            let answers = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("c03 ") && $0.contains(" | ") }
            #expect(answers.count == 40, "c03 answered \(answers.count) times of 40")
        }

        @Test func aKilledSkpLeavesNoRemoteCommandBehind() throws {
            try Lab.up()
            // SIGKILL: skp cannot close anything; the hosts see the connection drop.
            let marker = "sleep 4323"
            let skp = [Binary.path, "--color", "never", "--limit", "c01,c02", "ssh.cmd", "-c=\(marker) | cat"].map { "'\($0)'" }.joined(separator: " ")
            let script = "cd '\(Binary.root)'; \(skp) >/dev/null 2>&1 & pid=$!; sleep 1.5; kill -KILL $pid; wait $pid"
            let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
            #expect(outcome.status == 137)
            let left = try Lab.leftover(marker)
            #expect(left.isEmpty, "still running after skp was killed: \(left)")
            if !left.isEmpty { _ = try? Binary.run(["-f", marker], executable: "/usr/bin/pkill") }
        }

        @Test func aBackgroundProcessAStepStartsOnPurposeOutlivesTheStep() throws {
            try Lab.up()
            // The hang-up guard stops only commands cut off by skp, not daemons a step starts and
            // leaves; and a command reading stdin gets end of file at once instead of hanging.
            let marker = "sleep 4324"
            let outcome = try Binary.run(["--color", "never", "--timeout", "10", "--limit", "c03", "ssh.cmd",
                                          "-c=nohup \(marker) >/dev/null 2>&1 & cat; echo stdin-closed"], environment: Lab.environment)
            #expect(outcome.status == 0, "\(outcome.stdout)")
            #expect(outcome.stdout.split(separator: "\n").contains { $0.hasPrefix("c03 ") && $0.hasSuffix("| stdin-closed") }, "\(outcome.stdout)")
            usleep(500_000)
            let alive = try Lab.leftover(marker, within: 0)
            #expect(!alive.isEmpty, "the step's background process was killed")
            _ = try? Binary.run(["-f", marker], executable: "/usr/bin/pkill")
        }

        @Test func hostileValuesReachTheHostsAsWrittenAndRunNothingElse() throws {
            try Lab.up()
            // Each value is written on two real hosts from a word, from inside double quotes and
            // from a here-document, and from a secret; the files must hold exactly the value, and
            // the marker that each value tries to create must not exist on any host.
            let marker = "/root/skp-hostile-marker"
            let dir = try Binary.project(["tasks/t.skp": #"""
                task keep "write the value three ways" {
                  param v -v "value"
                  param s -s secret "the value as a secret"
                  run "printf '%s' ${v} > /root/hostile-word; printf '%s' \"${v}\" > /root/hostile-double; x=`printf '%s.' ${s}`; printf '%s' \"$x\" > /root/hostile-secret"
                  run "cat > /root/hostile-doc <<EOF\n${v}\nEOF"
                }
                """#])
            let values = ["$(touch \(marker))", "`touch \(marker)`", "'; touch \(marker); '", "\"; touch \(marker); \"",
                          "x\\\"$(touch \(marker))\\", "a && touch \(marker) || touch \(marker) # $HOME", "*"]
            for value in values {
                let outcome = try Binary.run(["--color", "never", "--limit", "c01,c02", "t.keep", "-v=\(value)", "-s=\(value)"],
                                             in: dir, environment: Lab.environment)
                #expect(outcome.status == 0, "\(value): \(outcome.stdout)\(outcome.stderr)")
                for host in ["c01", "c02"] {
                    let files = try Lab.output(host, "for f in word double secret doc; do base64 -w0 /root/hostile-$f; echo; done; test -e \(quoted(marker)) && echo MARKER")
                    let expected = [value, value, value + ".", value + "\n"].map { Data($0.utf8).base64EncodedString() }
                    #expect(files.split(separator: "\n").map(String.init) == expected, "\(host) with \(value.debugDescription): \(files)")
                    _ = try Lab.exec(host, "rm -f \(quoted(marker))")
                }
            }
            // A line break cannot reach a here-document, and an option-looking value is refused:
            // no host is contacted for either.
            let before = Lab.logins("c01")
            let newline = try Binary.run(["--color", "never", "--limit", "c01", "t.keep", "-v=a\nEOF\ntouch \(marker)", "-s=x"],
                                         in: dir, environment: Lab.environment)
            #expect(newline.status == 2 && newline.stderr.contains("could end the here-document"), "\(newline.stderr)")
            let option = try Binary.run(["--color", "never", "--limit", "c01", "t.keep", "-v=-rf", "-s=x"], in: dir, environment: Lab.environment)
            #expect(option.status == 2 && option.stderr.contains("would read as an option"), "\(option.stderr)")
            #expect(Lab.logins("c01") == before, "a refused plan logged in")
            #expect(try Lab.output("c01", "test -e \(quoted(marker)) && echo MARKER || echo none") == "none")
        }

        @Test func aSecretInACommandNeverShowsInAProcessList() throws {
            try Lab.up()
            // The value goes on the channel's stdin (remote) or in the environment (local), and
            // the command refers to a shell variable: a 20 ms process-list snapshot of the whole
            // machine (the lab hosts share its process table) never shows it.
            let secret = "ps-secret-\(UUID().uuidString.prefix(12))"
            let local = NSTemporaryDirectory() + "skp-secret-local-\(UUID().uuidString.prefix(8))"
            let dir = try Binary.project(["tasks/t.skp": #"""
                task hidden "use a secret in commands" {
                  param token -t secret env PS_TOKEN "a secret"
                  param out -o "where the local step writes"
                  run "sleep 1; printf '%s' ${token} > /root/secret-run; test \"$(cat /root/secret-run)\" = ${token}"
                  local "sleep 1; printf '%s' ${token} > ${out}"
                }
                """#])
            let skp = [Binary.path, "--color", "never", "--limit", "c01,c02", "t.hidden", "-o=\(local)"].map { "'\($0)'" }.joined(separator: " ")
            let script = """
                (while :; do ps -eo args; sleep 0.02; done) > \(Lab.scratch)/ps-secret.txt 2>&1 & snap=$!
                cd '\(dir)'; \(skp); status=$?; kill $snap; wait $snap 2>/dev/null; echo "exit $status"
                """
            let outcome = try Binary.run(["-c", script], environment: Lab.environment.merging(["PS_TOKEN": secret]) { $1 },
                                         executable: "/bin/sh")
            #expect(outcome.stdout.contains("exit 0"), "\(outcome.stdout)\(outcome.stderr)")
            let processes = try String(contentsOfFile: "\(Lab.scratch)/ps-secret.txt", encoding: .utf8)
            #expect(processes.contains("skp_secret_1"), "the snapshot saw the commands")
            #expect(!processes.contains(secret), "the secret is in a process list")
            #expect(!outcome.stdout.contains(secret) && !outcome.stderr.contains(secret))
            for host in ["c01", "c02"] { #expect(try Lab.output(host, "cat /root/secret-run") == secret) }
            #expect((try? String(contentsOfFile: local, encoding: .utf8)) == secret)
        }

        @Test func aWrongKeyAndAWrongPasswordAreRefusedWithWhatWasTried() throws {
            try Lab.up()
            // A home whose only key is not authorized anywhere, no agent, and a wrong password.
            let home = NSTemporaryDirectory() + "skp-wrong-key-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
            let keygen = try Binary.run(["-q", "-t", "ed25519", "-N", "", "-f", home + "/.ssh/id_ed25519"], executable: "/usr/bin/ssh-keygen")
            #expect(keygen.status == 0)
            let password = "wrong-password-\(UUID().uuidString.prefix(8))"
            let before = Lab.logins("c01")
            let outcome = try Binary.run(["--color", "never", "--json", "--limit", "c01,c02", "ssh.copy-id"],
                                         environment: Lab.environment.merging(["HOME": home, "SSH_AUTH_SOCK": home + "/no-agent",
                                                                               "SKP_SSH_PASSWORD": password]) { $1 })
            let hosts = try summary(outcome.stdout)
            #expect(outcome.status == 3, "exit \(outcome.status): every host unreachable")
            for name in ["c01", "c02"] {
                let message = hosts[name]?["message"] as? String ?? ""
                #expect(hosts[name]?["status"] as? String == "unreachable", "\(name): \(hosts[name] ?? [:])")
                #expect(message.contains("refused every credential") && message.contains(home + "/.ssh/id_ed25519")
                        && message.contains("password"), "\(name): \(message)")
            }
            #expect(Lab.logins("c01") == before)
            #expect(!outcome.stdout.contains(password) && !outcome.stderr.contains(password), "the password was printed")
            #expect(Lab.sshdLog("c01").contains("Failed password for root"), "sshd saw the password attempt")
        }

        @Test func aSecondRunOnTheSameInventoryWaitsOrRefuses() throws {
            try Lab.up()
            let first = [Binary.path, "--color", "never", "--limit", "c01", "ssh.cmd", "-c=sleep 3; date +%s.%N > /root/lock-first"]
                .map { "'\($0)'" }.joined(separator: " ")
            let refused = [Binary.path, "--no-wait", "--limit", "c02", "ssh.cmd", "-c=touch /root/lock-refused"].map { "'\($0)'" }.joined(separator: " ")
            let queued = [Binary.path, "--limit", "c01", "ssh.cmd", "-c=date +%s.%N > /root/lock-second"].map { "'\($0)'" }.joined(separator: " ")
            _ = try Lab.exec("c01", "rm -f /root/lock-first /root/lock-second")
            _ = try Lab.exec("c02", "rm -f /root/lock-refused")
            let script = """
                cd '\(Binary.root)'; \(first) >/dev/null 2>&1 & sleep 1
                \(refused) > \(Lab.scratch)/lock-refused.out 2>&1; echo "refused=$?"
                \(queued) > \(Lab.scratch)/lock-queued.out 2>&1; echo "queued=$?"; wait
                """
            let outcome = try Binary.run(["-c", script], environment: Lab.environment, executable: "/bin/sh")
            #expect(outcome.stdout.contains("refused=2"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains("queued=0"), "\(outcome.stdout)")
            let refusedText = try String(contentsOfFile: "\(Lab.scratch)/lock-refused.out", encoding: .utf8)
            #expect(refusedText.contains("another skp run holds this inventory"), "\(refusedText)")
            #expect(try Lab.output("c02", "test -e /root/lock-refused && echo touched || echo untouched") == "untouched")
            let queuedText = try String(contentsOfFile: "\(Lab.scratch)/lock-queued.out", encoding: .utf8)
            #expect(queuedText.contains("waiting for another run"), "\(queuedText)")
            // The queued run ran after the first finished, not interleaved with it.
            let firstAt = Double(try Lab.output("c01", "cat /root/lock-first")) ?? .infinity
            let secondAt = Double(try Lab.output("c01", "cat /root/lock-second")) ?? 0
            #expect(secondAt > firstAt, "first \(firstAt), second \(secondAt)")
        }
    }
}
