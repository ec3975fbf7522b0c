import Foundation
import Testing
import SkpTestSupport

/// End-to-end runs of the built binary on the sample inventories: no host is contacted.
@Suite struct CLITests {
    /// Every task of the original tool's table (reference/skp-original.md), and its companions.
    static let originalTasks = [
        "docker.install", "ssh.cmd", "docker.machine-install", "docker.machine-create", "docker.machine-ls",
        "docker.swarm-init", "docker.swarm-join", "docker.swarm-label", "docker.network-create", "docker.network-ls",
        "docker.node-ls", "docker.volume-create", "docker.sshfs-plugin-install", "docker.sshfs-copy-id",
        "nfs.restart", "nfs.exportfs", "docker.swarm-leave", "docker.network-rm", "docker.volume-rm",
        "docker.machine-rm", "nfs.install", "fuse.install", "ssh.copy-id", "vagrant.install",
    ]

    @Test func listShowsEveryTaskByNamespace() throws {
        let outcome = try Binary.run(["--list"])
        #expect(outcome.status == 0)
        for task in Self.originalTasks { #expect(outcome.stdout.contains("  \(task) "), "missing \(task)") }
        for namespace in ["docker", "nfs", "ssh", "fuse", "vagrant"] {
            #expect(outcome.stdout.contains("\n\(namespace)  "), "missing namespace \(namespace)")
        }
    }

    /// The guide's sequence, planned on the samples, compared with a reviewed golden file.
    @Test(arguments: [
        ("swarm-and-volumes", ["docker.swarm-init", "docker.swarm-join", "docker.swarm-label", "docker.network-create", "docker.volume-create"]),
        ("volume-skp", ["docker.volume-create", "-n", "volume-skp"]),
        ("exportfs", ["nfs.exportfs"]),
        ("ssh-cmd-limit", ["ssh.cmd", "-c=sudo apt-key adv --keyserver keyserver.ubuntu.com --recv-keys 7EA0A9C3F273FCD8", "--limit", "role:worker"]),
        ("ssh-get-limit", ["ssh.get", "-r", "/etc/docker/daemon.json", "--limit", "role:worker"]),
        ("swarm-backup", ["docker.swarm-backup", "-d", "/srv/backups"]),
    ])
    func dryRunMatchesGoldenPlan(name: String, arguments: [String]) throws {
        let outcome = try Binary.run(["--dry-run"] + arguments)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let golden = Binary.root + "/Tests/SkpTests/Golden/\(name).txt"
        if ProcessInfo.processInfo.environment["SKP_UPDATE_GOLDEN"] == "1" {
            try outcome.stdout.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: golden, encoding: .utf8)
        #expect(outcome.stdout == expected, "plan differs from \(golden); rerun with SKP_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test func theGuidesPlanDoesWhatTheOriginalDid() throws {
        let plan = try Binary.run(["--dry-run", "docker.swarm-init", "docker.swarm-join", "docker.swarm-label",
                                   "docker.network-create", "docker.volume-create"]).stdout
            // A command the task file continues over lines with \ reads as one line here.
            .replacingOccurrences(of: #"\\\n\s*"#, with: "", options: .regularExpression)
        // init on the master with its address; tokens captured there, used by managers then workers.
        #expect(plan.contains("c01  $ docker swarm init --advertise-addr 192.168.56.11"))
        // Joined through the engine's API, the token on curl's stdin (never in a process's arguments).
        let manager = try #require(plan.range(of: "[\"%s\"],\"JoinToken\":\"%s\"}' 192.168.56.12 192.168.56.11:2377 {{manager_token@c01}} | curl"))
        let worker = try #require(plan.range(of: "[\"%s\"],\"JoinToken\":\"%s\"}' 192.168.56.14 192.168.56.11:2377 {{worker_token@c01}} | curl"))
        // A node already in another swarm is refused, not joined twice.
        #expect(plan.contains("c04  fail c04 is already in another swarm"))
        #expect(manager.lowerBound < worker.lowerBound)
        // Each node gets exactly its enabled labels: one update per node, where they differ.
        #expect(plan.contains("for p in registry=enable spark-worker=enable data=enable; do set -- \"$@\" --label-add \"$p\"; done\ndocker node update \"$@\" c05"))
        #expect(plan.contains("$ docker network create --attachable --driver overlay net-skp"))
        // volume-pgsql-skp (label pgsql) only on c01.
        #expect(plan.components(separatedBy: "--name volume-pgsql-skp").count - 1 == 1)
        // The sample's secrets never show.
        #expect(!plan.contains("skp-lab-s3-secret-0000") && !plan.contains("skp-lab-blob-secret-0000"))
        #expect(plan.contains("skp-lab-access:***"))
        // swarm-init is named and also a hook of swarm-join: it is planned once.
        #expect(plan.components(separatedBy: "docker swarm init").count - 1 == 1)
    }

    @Test func everyFlagFormPlansTheSame() throws {
        let forms = [["-n", "volume-skp"], ["-n=volume-skp"], ["--name", "volume-skp"], ["--name=volume-skp"]]
        let plans = try forms.map { try Binary.run(["--dry-run", "docker.volume-create"] + $0).stdout }
        #expect(Set(plans).count == 1)
        #expect(plans[0].contains("--name volume-skp"))
        #expect(!plans[0].contains("volume-pgsql-skp"))
    }

    @Test func mistypedTaskSuggestsAndFails() throws {
        let outcome = try Binary.run(["docker.volume-crate"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("no task named docker.volume-crate"))
        #expect(outcome.stderr.contains("did you mean docker.volume-create?"))
    }

    @Test func brokenHostsJsonNamesThePlaceAndRunsNothing() throws {
        let dir = try Binary.project(["hosts.json": "{\n  \"c01\": {\n    \"ipv4\": \"192.168.56.11\",\n    \"path\" ; \"x\"\n  }\n}\n"])
        let outcome = try Binary.run(["docker.swarm-init"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("hosts.json:4:12: error: invalid JSON: ':' expected near ';'"))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func trailingCommaNamesThePlace() throws {
        let dir = try Binary.project(["hosts.json": "{\n  \"c01\": {\"ipv4\": \"192.168.56.11\"},\n}\n"])
        let outcome = try Binary.run(["--dry-run", "docker.swarm-init"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("hosts.json:3:1: error: invalid JSON"))
    }

    @Test func taskFileSyntaxErrorNamesThePlaceAndRunsNothing() throws {
        let dir = try Binary.project(["tasks/broken.skp": "task oops {\n  run \"echo hi\n}\n"])
        let outcome = try Binary.run(["docker.swarm-init"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("tasks/broken.skp:2:7: error: unterminated string"))
        #expect(outcome.stderr.contains("2 |   run \"echo hi"))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func helpShowsFlagsTargetsAndHooks() throws {
        let outcome = try Binary.run(["--help", "docker.swarm-join"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("Runs on: leader; then role:manager&!leader (one at a time); then role:worker&!leader"))
        #expect(outcome.stdout.contains("Before it: docker.swarm-init"))
        let volume = try Binary.run(["--help", "docker.volume-create"]).stdout
        #expect(volume.contains("-n, --name NAME"))
    }

    @Test func listHostsShowsWhatASelectorNames() throws {
        let outcome = try Binary.run(["--list-hosts", "role:manager & !role:master"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == """
              host  address        roles          labels                          volumes
              c02   192.168.56.12  slave,manager  registry,spark-master,skp,data  volume-skp,volume-registry-skp,volume-registry,volume-sshfs,volume-s3fs
              c03   192.168.56.13  slave,manager  registry,kafka,data             volume-registry-skp,volume-registry,volume-sshfs,volume-s3fs
            2 hosts match role:manager & !role:master

            """)
    }

    @Test func jsonPlanIsValidAndMasked() throws {
        let outcome = try Binary.run(["--dry-run", "--json", "docker.volume-create"])
        #expect(outcome.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let tasks = try #require(object?["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["task"] as? String } == ["docker.sshfs-copy-id", "docker.volume-create"])
        #expect(!outcome.stdout.contains("skp-lab-s3-secret-0000"))
    }

    @Test func missingRequiredFlagIsAnInputError() throws {
        let outcome = try Binary.run(["--dry-run", "ssh.cmd"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("ssh.cmd needs --command"))
    }
}
