import Foundation
import SkpTestSupport
import Testing

// Lab suites share the lab: they run one at a time, inside LabSuites.
extension LabSuites {
    /// The guide's sequence on the lab, checked through each host's own Docker engine.
    @Suite(.serialized) struct SwarmTests {
        static let sequence = ["docker.swarm-init", "docker.swarm-join", "docker.swarm-label", "docker.network-create",
                               "docker.volume-create", "docker.node-ls"]

        /// hosts.json's enabled labels, per host.
        func enabledLabels(_ path: String = Binary.root + "/hosts.json") throws -> [String: [String: String]] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: [String: Any]]
            return json.mapValues { host in
                (host["labels"] as? [String: String] ?? [:]).filter { $0.value == "enable" }
            }
        }

        /// Everything the sequence creates, as the engines report it.
        func state() throws -> [String: String] {
            var state: [String: String] = [:]
            state["nodes"] = try Lab.output("c01", "docker node ls --format '{{.Hostname}} {{.ManagerStatus}}' | sort")
            for host in Lab.hosts {
                state["labels \(host)"] = try Lab.output("c01", "docker node inspect \(quoted(host)) --format '{{json .Spec.Labels}}'")
                state["volumes \(host)"] = try Lab.output(host, "docker volume ls -q | sort | tr '\\n' ' '")
            }
            state["network"] = try Lab.output("c01", "docker network inspect net-skp --format '{{.Driver}} {{.Attachable}} {{.Scope}}'")
            return state
        }

        @Test func theGuidesSequenceBuildsTheSwarmAndRerunningChangesNothing() throws {
            try Lab.up()
            let first = try Lab.skp(Self.sequence)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(first.stdout.contains("==> docker.node-ls\nc01   | ID "))

            // Roles and leader.
            let nodes = try Lab.output("c01", "docker node ls --format '{{.Hostname}} {{.ManagerStatus}}' | sort")
            #expect(nodes == "c01 Leader\nc02 Reachable\nc03 Reachable\nc04 \nc05", "\(nodes)")
            for (host, worker) in [("c04", true), ("c05", true), ("c02", false)] {
                let role = try Lab.output("c01", "docker node inspect \(quoted(host)) --format '{{.Spec.Role}}'")
                #expect(role == (worker ? "worker" : "manager"))
            }
            // Every node's labels are exactly hosts.json's enabled labels.
            for (host, labels) in try enabledLabels() {
                let json = try Lab.output("c01", "docker node inspect \(quoted(host)) --format '{{json .Spec.Labels}}'")
                let actual = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String] ?? [:]
                #expect(actual == labels, "\(host): \(actual) != \(labels)")
            }
            // The overlay network is attachable.
            #expect(try Lab.output("c01", "docker network inspect net-skp --format '{{.Driver}} {{.Attachable}}'") == "overlay true")
            // fs volumes exactly where their label is enabled, bound to their path.
            let labels = try enabledLabels()
            for host in Lab.hosts {
                let volumes = try Lab.output(host, "docker volume ls -q").split(separator: "\n").map(String.init)
                #expect(volumes.contains("volume-skp") == (labels[host]?["skp"] != nil), "\(host): \(volumes)")
                #expect(volumes.contains("volume-pgsql-skp") == (labels[host]?["pgsql"] != nil), "\(host): \(volumes)")
                if volumes.contains("volume-skp") {
                    let options = try Lab.output(host, "docker volume inspect volume-skp --format '{{.Options.device}} {{.Options.o}} {{.Options.type}}'")
                    #expect(options == "/root/mnt/volume-skp bind none")
                    #expect(try Lab.exec(host, "test -d /root/mnt/volume-skp").status == 0)
                }
                // nfs volumes on every host, with the master's address.
                let nfs = try Lab.output(host, "docker volume inspect volume-registry-skp --format '{{.Options.type}} {{.Options.o}} {{.Options.device}}'")
                #expect(nfs == "nfs addr=192.168.56.11,rw :/root/mnt/volume-registry-skp", "\(host): \(nfs)")
            }

            // The same command line again: exit 0, every step unchanged, the same state.
            let before = try state()
            let second = try Lab.skp(Self.sequence)
            #expect(second.status == 0)
            #expect(second.stdout.contains("5 hosts: 5 ok"), "\(second.stdout)")
            #expect(!second.stdout.contains(" changed,") || second.stdout.components(separatedBy: "  0 changed,").count - 1 == 5)
            #expect(try state() == before)
        }

        /// `--check` (issue 18, item 6): the drift report. On a formed swarm nothing would change;
        /// a label removed by hand is exactly one step that would, and checking changes nothing.
        @Test func checkReportsDriftAndChangesNothing() throws {
            try Lab.up()
            #expect(try Lab.skp(Self.sequence).status == 0)
            let clean = try Lab.skp(["--check"] + Self.sequence)
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            #expect(!clean.stdout.contains("would change:"), "\(clean.stdout)")
            #expect(!clean.stdout.contains("cannot tell"), "every step of the guide's sequence has a probe:\n\(clean.stdout)")

            let (key, value) = try #require(try enabledLabels()["c05"]?.sorted { $0.key < $1.key }.first)
            try Lab.exec("c01", "docker node update --label-rm \(quoted(key)) c05 >/dev/null")
            let drift = try Lab.skp(["--check", "--json"] + Self.sequence)
            #expect(drift.status == 4, "\(drift.stdout.suffix(3000))")
            let steps = drift.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["event"] as? String == "step" && $0["status"] as? String == "would change" }
            // c05's one label step (one per node): the labels it would set include the missing one.
            let changing = steps.compactMap { $0["step"] as? String }
            #expect(changing.count == 1, "\(steps)")
            #expect(changing.first?.hasSuffix("docker node update \"$@\" c05 >/dev/null") == true, "\(changing)")
            #expect(changing.first?.contains(" \(key)=\(value) ") == true || changing.first?.contains(" \(key)=\(value);") == true, "\(changing)")
            // As text: the step is named; drift is not a failure to resume.
            let text = try Lab.skp(["--check", "docker.swarm-label"])
            #expect(text.status == 4)
            #expect(text.stdout.contains("would change: $ set --") && text.stdout.contains("docker node update \"$@\" c05"), "\(text.stdout)")
            #expect(!text.stderr.contains("--resume"), "\(text.stderr)")
            // Nothing changed: the label is still gone until a real run puts it back.
            let labels = try Lab.output("c01", "docker node inspect c05 --format '{{json .Spec.Labels}}'")
            #expect(!labels.contains("\"\(key)\""), "\(labels)")
            #expect(try Lab.skp(["docker.swarm-label"]).status == 0)
            #expect(try Lab.skp(["--check", "docker.swarm-label"]).status == 0)
        }

        @Test func volumeCreateForOneVolumeFollowsItsLabelInEveryFlagForm() throws {
            try Lab.up()
            _ = try Lab.skp(["docker.swarm-init"])
            for host in Lab.hosts { try Lab.exec(host, "docker volume rm volume-pgsql-skp >/dev/null 2>&1 || true") }
            let forms = [["-n", "volume-pgsql-skp"], ["-n=volume-pgsql-skp"], ["--name", "volume-pgsql-skp"], ["--name=volume-pgsql-skp"]]
            for (i, form) in forms.enumerated() {
                let outcome = try Lab.skp(["docker.volume-create"] + form)
                #expect(outcome.status == 0, "\(outcome.stdout)")
                // Created once, by the first form; the others find it there.
                let summary = outcome.stdout.split(separator: "\n").first { $0.hasPrefix("  c01 ") } ?? ""
                #expect(summary.contains(i == 0 ? "changed" : "ok"), "\(form): \(summary)")
                for host in Lab.hosts {
                    let present = try Lab.exec(host, "docker volume inspect volume-pgsql-skp >/dev/null 2>&1").status == 0
                    #expect(present == (host == "c01"), "\(host) after \(form)")
                }
            }
        }

        @Test func removingALabelFromHostsJsonRemovesItFromTheNode() throws {
            try Lab.up()
            #expect(try Lab.skp(["docker.swarm-label"]).status == 0)
            #expect(try Lab.output("c01", "docker node inspect c03 --format '{{index .Spec.Labels \"kafka\"}}'") == "enable")
            // The same inventory without c03's kafka label.
            let hosts = try String(contentsOfFile: Binary.root + "/hosts.json", encoding: .utf8)
                .replacingOccurrences(of: "\"kafka\": \"enable\", ", with: "")
            #expect(!hosts.contains("kafka"))
            let dir = try Binary.project(["hosts.json": hosts])
            let outcome = try Lab.skp(["docker.swarm-label"], in: dir)
            #expect(outcome.status == 0, "\(outcome.stdout)")
            let labels = try Lab.output("c01", "docker node inspect c03 --format '{{json .Spec.Labels}}'")
            #expect(labels == #"{"data":"enable","registry":"enable"}"#, "\(labels)")
            // Back as it was.
            #expect(try Lab.skp(["docker.swarm-label"]).status == 0)
            #expect(try Lab.output("c01", "docker node inspect c03 --format '{{index .Spec.Labels \"kafka\"}}'") == "enable")
        }

        @Test func aNodeInAnotherSwarmIsRefusedWithAClearMessage() throws {
            try Lab.up()
            #expect(try Lab.skp(["docker.swarm-join"]).status == 0)
            // c05 leaves and starts a swarm of its own.
            let oldID = try Lab.output("c05", "docker info --format '{{.Swarm.NodeID}}'")
            try Lab.exec("c05", "docker swarm leave --force >/dev/null && docker swarm init --advertise-addr 192.168.56.15 >/dev/null")
            try Lab.exec("c01", "docker node rm --force \(quoted(oldID)) >/dev/null")
            let outcome = try Lab.skp(["docker.swarm-join"])
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("c05 is already in another swarm; take it out first with: ./skp docker.swarm-leave --limit c05"))
            let rows = outcome.stdout.split(separator: "\n")
            #expect(rows.contains { $0.hasPrefix("  c05 ") && $0.contains("failed") })
            #expect(rows.contains { $0.hasPrefix("  c04 ") && $0.contains("ok") })
            // Nothing was changed on c05: it still leads its own swarm.
            #expect(try Lab.output("c05", "docker info --format '{{.Swarm.ControlAvailable}}'") == "true")
            // Taken out as the message says, it joins again.
            #expect(try Lab.skp(["docker.swarm-leave", "--limit", "c05"]).status == 0)
            #expect(try Lab.skp(["docker.swarm-join", "docker.swarm-label"]).status == 0)
            #expect(try Lab.output("c01", "docker node ls --format '{{.Hostname}} {{.Status}}' | grep c05") == "c05 Ready")
        }

        /// The kernel here has no NFS: `exportfs` and `showmount` are stand-ins on c01 that only
        /// print what they were asked; what is tested for real is /etc/exports.
        @Test func exportfsKeepsOneLinePerNfsVolume_withStandInExportfs() throws {
            try Lab.up()
            let standIns = "/tmp/skp-lab/c01/stand-ins"
            try Lab.exec("c01", """
                mkdir -p \(standIns) && printf '#!/bin/sh\\necho "stand-in exportfs $*"\\n' > \(standIns)/exportfs &&
                printf '#!/bin/sh\\necho "stand-in showmount $*"; cat /etc/exports\\n' > \(standIns)/showmount &&
                chmod +x \(standIns)/* && (mountpoint -q /usr/local/sbin || mount --bind \(standIns) /usr/local/sbin)
                """)
            try Lab.exec("c01", "echo '/srv/other 10.0.0.0/8(ro)' > /etc/exports")
            for _ in 0..<2 {
                let outcome = try Lab.skp(["nfs.exportfs"])
                #expect(outcome.status == 0, "\(outcome.stdout)")
                #expect(outcome.stdout.contains("stand-in exportfs -a"))
            }
            let exports = try Lab.output("c01", "cat /etc/exports")
            #expect(exports == "/srv/other 10.0.0.0/8(ro)\n/root/mnt/volume-registry-skp 192.168.56.0/24(rw,insecure,no_root_squash,no_subtree_check,sync)", "\(exports)")
            #expect(try Lab.exec("c01", "test -d /root/mnt/volume-registry-skp").status == 0)
            // The control machine's own /etc/exports is not the lab's.
            #expect(!((try? String(contentsOfFile: "/etc/exports", encoding: .utf8)) ?? "").contains("volume-registry-skp"))
            try Lab.exec("c01", "umount /usr/local/sbin")
        }
    }
}
