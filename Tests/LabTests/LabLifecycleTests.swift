import Foundation
import SkpTestSupport
import Testing

// Lab suites share the lab: they run one at a time, inside LabSuites.
extension LabSuites {
    /// `lab.up` is idempotent and `lab.down` leaves no process, namespace, link, bridge or file.
    /// Runs on a lab of its own (own subnet, own state folder) so the shared lab stays up.
    @Suite(.serialized) struct LabLifecycleTests {
        @Test func upIsIdempotentAndDownLeavesNothingBehind() throws {
            try Lab.up()
            let state = "/tmp/skp-lab-lifecycle-\(getpid())"
            let knownHosts = NSTemporaryDirectory() + "skp-lifecycle-known-\(getpid())"
            let environment = ["SKP_LAB_DIR": state, "SKP_KNOWN_HOSTS": knownHosts]
            let dir = try Binary.project(["hosts.json": """
            {"t01": {"ipv4": "192.168.58.11", "roles": ["master"]}, "t02": {"ipv4": "192.168.58.12"}}
            """, "volumes.json": "{}"])

            let up = try Binary.run(["--color", "never", "lab.up"], in: dir, environment: environment)
            #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
            let again = try Binary.run(["--color", "never", "lab.up"], in: dir, environment: environment)
            #expect(again.stdout.contains("t01 is already up") && again.stdout.contains("t02 is already up"))
            let hostname = try Binary.run(["--color", "never", "ssh.cmd", "-c=hostname; docker info --format '{{.Name}}'"],
                                          in: dir, environment: environment)
            #expect(hostname.status == 0)
            #expect(hostname.stdout.contains("t01   | t01\nt01   | t01") || hostname.stdout.contains("t01   | t01"))
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).contains("192.168.58.11 ssh-ed25519"))

            let down = try Binary.run(["--color", "never", "lab.down"], in: dir, environment: environment)
            #expect(down.status == 0, "\(down.stdout)\(down.stderr)")
            try? FileManager.default.removeItem(atPath: state + ".lock")

            // Nothing left: namespaces, links, bridge, processes, files, known_hosts entries.
            let netns = try shell("ip netns list")
            #expect(!netns.contains("skp-t01") && !netns.contains("skp-t02"), "\(netns)")
            #expect(!(try shell("ip -o link show")).contains("skpbr58"))
            #expect(try shell("pgrep -af '[/]\(state.dropFirst())' || true").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: state))
            #expect(!((try? String(contentsOfFile: knownHosts, encoding: .utf8)) ?? "").contains("192.168.58."))
            // The shared lab was not touched.
            #expect(try Binary.run(["ssh.cmd", "-c=true", "--limit", "c01"], environment: Lab.environment).status == 0)
        }

        /// `lab.down` returns only when every process of every lab host has exited and been reaped,
        /// even right after a timed-out command (its session and hang-up guard still going away).
        @Test func testIssue13Also_downRightAfterATimedOutCommandLeavesNoProcess() throws {
            try Lab.up()
            let state = "/tmp/skp-lab-down-\(getpid())"
            let knownHosts = NSTemporaryDirectory() + "skp-down-known-\(getpid())"
            let environment = ["SKP_LAB_DIR": state, "SKP_KNOWN_HOSTS": knownHosts]
            let dir = try Binary.project(["hosts.json": """
            {"u01": {"ipv4": "192.168.59.11", "roles": ["master"]}, "u02": {"ipv4": "192.168.59.12"}}
            """, "volumes.json": "{}"])
            let up = try Binary.run(["--color", "never", "lab.up"], in: dir, environment: environment)
            #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
            defer {
                _ = try? Binary.run(["lab.down"], in: dir, environment: environment)
                try? FileManager.default.removeItem(atPath: state + ".lock")
            }
            let timedOut = try Binary.run(["--color", "never", "--timeout", "1", "ssh.cmd", "-c=sleep 30 | cat"], in: dir, environment: environment)
            #expect(timedOut.status == 1 && timedOut.stdout.contains("timed out"), "\(timedOut.stdout)")

            // Each host's processes and namespaces, as lab.down finds them.
            let snapshot = try shell("""
                for h in u01 u02; do
                  echo "mnt $(readlink /proc/$(cat \(state)/$h/sshd.pid)/ns/mnt)"
                  echo "net net:[$(stat -L -c %i /run/netns/skp-$h)]"
                  for p in $(ip netns pids skp-$h); do echo "pid $p"; done
                done
                """).split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
            let namespaces = Set(snapshot.filter { $0.count == 2 && ($0[0] == "mnt" || $0[0] == "net") }.map { $0[1] })
            let pids = Set(snapshot.filter { $0.count == 2 && $0[0] == "pid" }.map { $0[1] })
            #expect(namespaces.count == 4 && pids.count >= 4, "\(snapshot)")

            let down = try Binary.run(["--color", "never", "lab.down"], in: dir, environment: environment)
            #expect(down.status == 0, "\(down.stdout)\(down.stderr)")
            // At once, no waiting: not one of them left, not even a zombie.
            var left: [String] = []
            for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") where Int(entry) != nil {
                let links = ["mnt", "net"].compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/ns/\($0)") }
                if pids.contains(entry) || links.contains(where: namespaces.contains) {
                    let status = (try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8)) ?? ""
                    left.append(entry + " " + status.split(separator: "\n").prefix(3).joined(separator: " "))
                }
            }
            #expect(left.isEmpty, "left after lab.down: \(left)")
            #expect(!FileManager.default.fileExists(atPath: state))
        }

        func shell(_ command: String) throws -> String {
            try Binary.run(["-c", command], executable: "/bin/sh").stdout
        }
    }
}
