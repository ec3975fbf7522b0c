import Foundation
import SkpTestSupport
import Testing

// Lab suites share the lab: they run one at a time, inside LabSuites.
extension LabSuites {
    /// `lab.up` is idempotent and `lab.down` leaves no process, namespace, link, bridge or file.
    /// Runs on a lab of its own (own subnet, own state folder) so the shared lab stays up.
    @Suite(.serialized) struct LabLifecycleTests {
        @Test func upIsIdempotentAndDownLeavesNothingBehind() throws {
            guard try Lab.require() else { return }
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

        func shell(_ command: String) throws -> String {
            try Binary.run(["-c", command], executable: "/bin/sh").stdout
        }
    }
}
